'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/** Re-renders the inbox every `seconds`: a delivery shows up without a reload. */
export function AutoRefresh({ seconds }: { seconds: number }) {
  const router = useRouter();
  useEffect(() => {
    const t = setInterval(() => router.refresh(), seconds * 1000);
    return () => clearInterval(t);
  }, [router, seconds]);
  return null;
}
