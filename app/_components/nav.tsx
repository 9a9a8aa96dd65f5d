'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState } from 'react';
import { IconMenu, IconX } from './icons';

const pages = [
  { href: '/dashboard', label: 'Overview', exact: true },
  { href: '/dashboard/events', label: 'Events' },
  { href: '/dashboard/subscriptions', label: 'Subscriptions' },
  { href: '/dashboard/event-types', label: 'Event types' },
  { href: '/dashboard/dead-letters', label: 'Dead letters' },
  { href: '/dashboard/usage', label: 'Usage' },
  { href: '/dashboard/audit-log', label: 'Audit log' },
];
/** The development receiver's inbox: listed only where it exists (DEV_RECEIVER, on under `pnpm dev`). */
const inboxPage = { href: '/dashboard/inbox', label: 'Inbox' };
type Page = { href: string; label: string; exact?: boolean };

function isActive(l: Page, path: string): boolean {
  return l.exact
    ? path === l.href
    : path === l.href ||
        path.startsWith(`${l.href}/`) ||
        (l.href === '/dashboard/events' && path.startsWith('/dashboard/deliveries/'));
}

/**
 * The main navigation: a row of tabs from `md` up; on a phone, where seven tabs do not fit, a Menu
 * button that opens them as a list (every page one tap away, none hidden past the edge). Following
 * a link closes it.
 */
export function NavLinks({ inbox = false }: { inbox?: boolean }) {
  const path = usePathname();
  const links: Page[] = inbox ? [...pages, inboxPage] : pages;
  const [open, setOpen] = useState(false);
  const [openedOn, setOpenedOn] = useState(path);
  if (openedOn !== path) {
    setOpenedOn(path);
    setOpen(false);
  }
  const current = links.find((l) => isActive(l, path));
  return (
    <>
      <button
        type="button"
        aria-label="Menu"
        aria-expanded={open}
        aria-controls="main-nav-links"
        onClick={() => setOpen((o) => !o)}
        className="-mx-2 flex items-center gap-2 rounded-md px-2 py-2 text-sm font-medium text-zinc-700 hover:bg-zinc-100 md:hidden dark:text-zinc-200 dark:hover:bg-zinc-800"
      >
        {open ? <IconX /> : <IconMenu />}
        <span aria-hidden>Menu</span>
        {current && (
          <span aria-hidden className="text-zinc-500 dark:text-zinc-400">
            · {current.label}
          </span>
        )}
      </button>
      <ul
        id="main-nav-links"
        className={`${open ? 'flex' : 'hidden'} flex-col pb-2 md:-mb-px md:flex md:flex-row md:gap-1 md:pb-0`}
      >
        {links.map((l) => {
          const active = isActive(l, path);
          return (
            <li key={l.href}>
              <Link
                href={l.href}
                aria-current={active ? 'page' : undefined}
                className={`block px-3 py-2.5 text-sm font-medium whitespace-nowrap max-md:border-l-2 md:inline-block md:border-b-2 ${
                  active
                    ? 'border-indigo-600 text-zinc-900 dark:border-indigo-400 dark:text-white'
                    : 'border-transparent text-zinc-500 hover:border-zinc-300 hover:text-zinc-800 dark:text-zinc-400 dark:hover:border-zinc-600 dark:hover:text-zinc-200'
                }`}
              >
                {l.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </>
  );
}
