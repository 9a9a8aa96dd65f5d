export * from './customers';
export * from './subscriptions';
export * from './events';
export * from './deliveries';
export * from './replays';
export * from './stats';
export * from './workers';
export * from './event-types';
