import type { Metadata } from 'next';
import { SubscriptionDetailView } from './subscription-detail';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Subscription ${(await params).id}` };
}

export default async function SubscriptionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SubscriptionDetailView id={id} />;
}
