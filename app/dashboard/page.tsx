import type { Metadata } from 'next';
import { RecentDeliveries } from './recent-deliveries';

export const metadata: Metadata = { title: 'Deliveries' };

export default function DashboardPage() {
  return (
    <section>
      <h1 className="mb-4 text-2xl font-semibold">Recent deliveries</h1>
      <RecentDeliveries />
    </section>
  );
}
