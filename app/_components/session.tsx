'use client';

import { createContext, useContext, type ReactNode } from 'react';

type SessionInfo = { readOnly: boolean };

const SessionContext = createContext<SessionInfo>({ readOnly: true });

/** What client widgets need to know about the signed-in session (the API enforces it regardless). */
export function SessionProvider({ value, children }: { value: SessionInfo; children: ReactNode }) {
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useReadOnly(): boolean {
  return useContext(SessionContext).readOnly;
}

/** Renders its children only in sessions that may change things (read-only portal sessions may not). */
export function Writable({ children }: { children: ReactNode }) {
  return useReadOnly() ? null : <>{children}</>;
}
