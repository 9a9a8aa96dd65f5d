import type { Metadata } from 'next';
import { DeliveryDetailView } from './delivery-detail';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Delivery ${(await params).id}` };
}

export default async function DeliveryPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <DeliveryDetailView id={id} />;
}
