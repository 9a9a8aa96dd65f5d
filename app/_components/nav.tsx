'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const links = [
  { href: '/dashboard', label: 'Overview', exact: true },
  { href: '/dashboard/events', label: 'Events' },
  { href: '/dashboard/subscriptions', label: 'Subscriptions' },
  { href: '/dashboard/event-types', label: 'Event types' },
  { href: '/dashboard/dead-letters', label: 'Dead letters' },
  { href: '/dashboard/usage', label: 'Usage' },
  { href: '/dashboard/audit-log', label: 'Audit log' },
];

export function NavLinks() {
  const path = usePathname();
  return (
    <ul className="-mb-px flex gap-1 overflow-x-auto">
      {links.map((l) => {
        const active = l.exact
          ? path === l.href
          : path === l.href || path.startsWith(`${l.href}/`) || (l.href === '/dashboard/events' && path.startsWith('/dashboard/deliveries/'));
        return (
          <li key={l.href}>
            <Link
              href={l.href}
              aria-current={active ? 'page' : undefined}
              className={`inline-block border-b-2 px-3 py-2.5 text-sm font-medium whitespace-nowrap ${
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
  );
}
