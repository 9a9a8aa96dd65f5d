/**
 * Generated from the OpenAPI document (server/api/__snapshots__/openapi.json) by openapi-typescript.
 * Do not edit: run `pnpm openapi:snapshot` after changing a procedure, its input or its output.
 */
export interface paths {
    "/api/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List API keys: a customer key sees its own; a platform key every key, platform keys included
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["customers.allApiKeys"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an API key (effective at once; revoking again is a no-op)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        delete: operations["customers.revokeApiKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit-log": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who changed what, when and from where (newest first; a customer key: its own)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["audit.log"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/customers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List customers (a customer key sees only its own)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["customers.list"];
        put?: never;
        /**
         * Create a customer
         * @description Requires a platform API key.
         */
        post: operations["customers.create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/customers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One customer
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["customers.get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change a customer's settings: `retentionDays` (1 to RETENTION_MAX_DAYS; a shortening applies to stored events too)
         * @description Requires a platform API key.
         */
        patch: operations["customers.update"];
        trace?: never;
    };
    "/api/v1/customers/{id}/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List a customer's API keys (prefix and last use, never the key)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["customers.listApiKeys"];
        put?: never;
        /**
         * Create a customer API key (the key is shown once)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        post: operations["customers.createApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/customers/{id}/data": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Progress of the customer's latest data expunge
         * @description Requires a platform API key.
         */
        get: operations["customers.dataExpunge"];
        put?: never;
        post?: never;
        /**
         * Expunge every stored payload of a customer (account closure): one job with progress; returns the running one if any
         * @description Requires a platform API key.
         */
        delete: operations["customers.expungeData"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/customers/{id}/portal-link": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A short-lived, single-use sign-in link to the customer's dashboard
         * @description Requires a platform API key.
         */
        post: operations["customers.portalLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/customers/{id}/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a dashboard login for a customer
         * @description Requires a platform API key.
         */
        post: operations["customers.createUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List deliveries by status, subscription, event type, time
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["deliveries.list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deliveries/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One delivery: the exact request body once, its latest 50 attempts (request headers, response) and their total
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["deliveries.get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deliveries/{id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Replay one delivery now (same webhook-id, fresh signature)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        post: operations["deliveries.replay"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/event-types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The event-type catalog, by name (archived types only with `archived=true`)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["eventTypes.list"];
        put?: never;
        /**
         * Add an event type to the catalog (a `schema` validates its events' `data` at publish)
         * @description Requires a platform API key.
         */
        post: operations["eventTypes.create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/event-types/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One event type with its schema and example
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["eventTypes.get"];
        put?: never;
        post?: never;
        /**
         * Archive an event type (subscriptions to it keep working)
         * @description Requires a platform API key.
         */
        delete: operations["eventTypes.delete"];
        options?: never;
        head?: never;
        /**
         * Change an event type (description, schema, example; `archived: false` restores it)
         * @description Requires a platform API key.
         */
        patch: operations["eventTypes.update"];
        trace?: never;
    };
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List events (newest first, cursor pagination); a 1 KiB payload preview each unless `full=true`
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["events.list"];
        put?: never;
        /**
         * Publish an event (fans out to matching subscriptions)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        post: operations["events.publish"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One event with its payload, its first 50 deliveries (and their total) and routing trace
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["events.get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}/payload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Expunge an event's payload: its data and every stored request and response body and header go; ids, types, times and statuses stay
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        delete: operations["events.expungePayload"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Publish up to 500 events in one transaction; one result per event, in order
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        post: operations["events.publishBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI document */
        get: operations["openapi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/operational-webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List operational webhooks
         * @description Requires a platform API key.
         */
        get: operations["operationalWebhooks.list"];
        put?: never;
        /**
         * Register an operational webhook; the response holds its whsec_ secret
         * @description Requires a platform API key.
         */
        post: operations["operationalWebhooks.create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/operational-webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One operational webhook
         * @description Requires a platform API key.
         */
        get: operations["operationalWebhooks.get"];
        put?: never;
        post?: never;
        /**
         * Delete an operational webhook and its delivery history
         * @description Requires a platform API key.
         */
        delete: operations["operationalWebhooks.delete"];
        options?: never;
        head?: never;
        /**
         * Change its URL, event types or description
         * @description Requires a platform API key.
         */
        patch: operations["operationalWebhooks.update"];
        trace?: never;
    };
    "/api/v1/operational-webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What was sent to it, newest first, with the outcome of each delivery's last attempt
         * @description Requires a platform API key.
         */
        get: operations["operationalWebhooks.deliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/operational-webhooks/{id}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate its signing secret (the old one keeps signing for 24 h)
         * @description Requires a platform API key.
         */
        post: operations["operationalWebhooks.rotateSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/replays": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Recent bulk replays with progress
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["replays.list"];
        put?: never;
        /**
         * Replay all dead letters matching a filter (one bulk job; returns the running one if any)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        post: operations["replays.create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/replays/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Progress of a bulk replay: total, enqueued, delivered, failed
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["replays.get"];
        put?: never;
        post?: never;
        /**
         * Cancel a running bulk replay
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        delete: operations["replays.cancel"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List subscriptions
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["subscriptions.list"];
        put?: never;
        /**
         * Create a subscription; the response holds its whsec_ secret (v1a: its whpk_ public key)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        post: operations["subscriptions.create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/subscriptions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One subscription
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["subscriptions.get"];
        put?: never;
        post?: never;
        /**
         * Delete a subscription and its delivery history
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        delete: operations["subscriptions.delete"];
        options?: never;
        head?: never;
        /**
         * Update a subscription (pausing holds its deliveries; resuming releases or discards them)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        patch: operations["subscriptions.update"];
        trace?: never;
    };
    "/api/v1/subscriptions/{id}/backfill": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send past events: every retained event in the range that this subscription matches today and never received (one paced job; progress and cancel at /replays/{id})
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        post: operations["subscriptions.backfill"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/subscriptions/{id}/backfill/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * How many events a backfill of this range would send now (examines at most 100,000)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["subscriptions.backfillPreview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/subscriptions/{id}/backfills": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This subscription's backfills with progress, newest first
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["subscriptions.backfills"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/subscriptions/{id}/lanes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This subscription's blocked ordering lanes (head failing, or a dead letter holding a strict lane), by key
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["subscriptions.lanes"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/subscriptions/{id}/lanes/skip": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Move a blocked ordering lane on past its head (a failing head becomes a dead letter; a strict lane stops waiting for its dead letter)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        post: operations["subscriptions.skipLaneHead"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/subscriptions/{id}/retry-now": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Circuit breaker open: send its probe now instead of after the cool-down
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        post: operations["subscriptions.retryNow"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/subscriptions/{id}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate the signing secret (the old one keeps signing for 24 h)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        post: operations["subscriptions.rotateSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/subscriptions/{id}/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Reveal the current signing secret (v1a: the public key)
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["subscriptions.secret"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/subscriptions/{id}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Per-minute queue depth, dispatched, succeeded, failed, latency p50/p99
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["subscriptions.stats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/subscriptions/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a hookrelay.test event to this subscription
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        post: operations["subscriptions.test"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/subscriptions/test-filter": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Dry run: which of the customer's latest 100 events these patterns and this filter would deliver, and why
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        post: operations["subscriptions.testFilter"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/subscriptions/test-transform": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Dry run of a transformation on one of the customer's events (the given one, or its most recent): the webhook before and after, or the error an attempt would record; nothing is sent
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        post: operations["subscriptions.testTransform"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Usage per customer and day (events published, deliveries attempted, succeeded, failed, bytes sent) and the quotas with how much of each is used
         * @description A platform key acts for any customer; a customer key only for its own.
         */
        get: operations["audit.usage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ApiKey: {
            /** @description ISO 8601 */
            createdAt: string;
            customerId: string | null;
            id: string;
            /** @enum {string} */
            kind: "customer" | "platform";
            lastUsedAt: string | null;
            name: string | null;
            /** @description The first 12 characters of the key (the key itself is shown only once) */
            prefix: string;
            revokedAt: string | null;
            /** @description What the key may do: `publish`, `read`, `manage`, `keys` (a platform key holds all four) */
            scopes: string[];
        };
        ApiKeyPage: {
            data: components["schemas"]["ApiKey"][];
            /** @description Pass as `cursor` for the next page; null on the last */
            nextCursor: string | null;
        };
        Attempt: {
            attemptSeq: number;
            error: {
                class: string;
                message: string | null;
            } | null;
            id: string;
            latencyMs: number;
            nextRetryAt: string | null;
            request: {
                headers: {
                    [key: string]: string;
                };
                method: string;
                /** @description The body this attempt sent when the subscription's transform changed it; null: it sent the delivery's `requestBody` (or nothing) */
                transformedBody: string | null;
                url: string;
            };
            response: {
                bodyExcerpt: string;
                headers: {
                    [key: string]: string;
                };
                status: number;
            } | null;
            /** @description ISO 8601 */
            startedAt: string;
            /** @enum {string} */
            status: "succeeded" | "failed";
            /** @enum {string} */
            trigger: "initial" | "retry" | "replay" | "test";
        };
        AuditEntry: {
            action: string;
            actor: {
                id: string | null;
                ip: string | null;
                /** @description `user` (dashboard), `api_key` (a customer key), `platform` (a platform key or the operator; a customer sees no id or address) or `system` (Hookrelay itself, e.g. disabling a subscription after a 410) */
                kind: string;
            };
            /** @description The fields that changed, after (secrets redacted) */
            after: unknown;
            /** @description The fields that changed, before (secrets redacted) */
            before: unknown;
            /** @description ISO 8601 */
            createdAt: string;
            customerId: string | null;
            id: string;
            target: {
                id: string;
                kind: string;
            };
        };
        AuditLogPage: {
            data: components["schemas"]["AuditEntry"][];
            /** @description Pass as `cursor` for the next page; null on the last */
            nextCursor: string | null;
        };
        Backfill: {
            /** @description The `from` asked for, when it was older than the customer's retention window: the backfill starts at `filter.from` instead. Null otherwise */
            clampedFrom: string | null;
            /** @description ISO 8601 */
            createdAt: string;
            customerId: string;
            delivered: number;
            /** @description Deliveries enqueued so far (a backfill: events sent) */
            enqueued: number;
            failed: number;
            filter: {
                eventType?: string;
                /** @description A backfill narrowed to these event types or patterns */
                eventTypes?: string[];
                /** @description ISO 8601 */
                from?: string;
                subscriptionId?: string;
                /** @description ISO 8601 */
                to?: string;
            };
            /** @description A backfill: events examined that the subscription's payload filter excludes (0 for a replay) */
            filteredOut: number;
            finishedAt: string | null;
            id: string;
            inFlight: number;
            /**
             * @description `replay`: dead letters sent again ("replay all"); `backfill`: past events a subscription never received, sent to it ("send past events")
             * @enum {string}
             */
            kind: "replay" | "backfill";
            /** @description A backfill: events examined that the subscription had already received (0 for a replay) */
            skipped: number;
            /** @enum {string} */
            status: "running" | "completed" | "cancelled";
            /** @description A replay: dead letters to re-enqueue. A backfill: events of matching types in its range, to examine */
            total: number;
        };
        BackfillPreview: {
            /** @description True when the range holds more events of matching types than a preview examines (100,000): `count` covers the first of them only */
            capped: boolean;
            /** @description The `from` asked for, when it was older than the retention window; null otherwise */
            clampedFrom: string | null;
            /** @description Events a backfill of this range would send now */
            count: number;
            /** @description Events of matching types examined (at most 100,000) */
            examined: number;
            /** @description Where the range starts (after clamping to the retention window) */
            from: string;
            /** @description ISO 8601 */
            to: string;
        };
        BlockedLane: {
            /** @description The delivery the lane waits for */
            head: {
                attemptCount: number;
                deliveryId: string;
                eventId: string;
                lastAttemptAt: string | null;
                lastError: string | null;
                lastResponseStatus: number | null;
                nextAttemptAt: string | null;
                /**
                 * @description `pending`: failing, retried on its schedule; `dead`: a dead letter holding a `strict` lane
                 * @enum {string}
                 */
                status: "pending" | "held" | "succeeded" | "dead";
            };
            orderingKey: string;
            /** @description Deliveries of the lane behind its head */
            waiting: number;
        };
        BlockedLanePage: {
            data: components["schemas"]["BlockedLane"][];
            /** @description Pass as `cursor` for the next page; null on the last */
            nextCursor: string | null;
        };
        BulkReplay: {
            /** @description ISO 8601 */
            createdAt: string;
            customerId: string;
            delivered: number;
            /** @description Deliveries enqueued so far (a backfill: events sent) */
            enqueued: number;
            failed: number;
            filter: {
                eventType?: string;
                /** @description A backfill narrowed to these event types or patterns */
                eventTypes?: string[];
                /** @description ISO 8601 */
                from?: string;
                subscriptionId?: string;
                /** @description ISO 8601 */
                to?: string;
            };
            /** @description A backfill: events examined that the subscription's payload filter excludes (0 for a replay) */
            filteredOut: number;
            finishedAt: string | null;
            id: string;
            inFlight: number;
            /**
             * @description `replay`: dead letters sent again ("replay all"); `backfill`: past events a subscription never received, sent to it ("send past events")
             * @enum {string}
             */
            kind: "replay" | "backfill";
            /** @description A backfill: events examined that the subscription had already received (0 for a replay) */
            skipped: number;
            /** @enum {string} */
            status: "running" | "completed" | "cancelled";
            /** @description A replay: dead letters to re-enqueue. A backfill: events of matching types in its range, to examine */
            total: number;
        };
        BulkReplayPage: {
            data: components["schemas"]["BulkReplay"][];
            /** @description Pass as `cursor` for the next page; null on the last */
            nextCursor: string | null;
        };
        CreatedApiKey: {
            customerId: string | null;
            id: string;
            /** @description The API key: shown once, store it now */
            key: string;
            name: string | null;
            prefix: string;
            /** @description What the key may do: `publish`, `read`, `manage`, `keys` */
            scopes: string[];
        };
        CreatedBulkReplay: {
            /** @description ISO 8601 */
            createdAt: string;
            customerId: string;
            delivered: number;
            /** @description Deliveries enqueued so far (a backfill: events sent) */
            enqueued: number;
            /** @description True when a running replay was returned instead of starting one */
            existing: boolean;
            failed: number;
            filter: {
                eventType?: string;
                /** @description A backfill narrowed to these event types or patterns */
                eventTypes?: string[];
                /** @description ISO 8601 */
                from?: string;
                subscriptionId?: string;
                /** @description ISO 8601 */
                to?: string;
            };
            /** @description A backfill: events examined that the subscription's payload filter excludes (0 for a replay) */
            filteredOut: number;
            finishedAt: string | null;
            id: string;
            inFlight: number;
            /**
             * @description `replay`: dead letters sent again ("replay all"); `backfill`: past events a subscription never received, sent to it ("send past events")
             * @enum {string}
             */
            kind: "replay" | "backfill";
            /** @description A backfill: events examined that the subscription had already received (0 for a replay) */
            skipped: number;
            /** @enum {string} */
            status: "running" | "completed" | "cancelled";
            /** @description A replay: dead letters to re-enqueue. A backfill: events of matching types in its range, to examine */
            total: number;
        };
        CreatedDataExpunge: {
            /** @description ISO 8601 */
            createdAt: string;
            customerId: string;
            /** @description True when a running expunge was returned instead of starting one */
            existing: boolean;
            /** @description Events expunged so far */
            expunged: number;
            finishedAt: string | null;
            id: string;
            /** @enum {string} */
            status: "running" | "completed";
            /** @description Events not yet expunged when it started */
            total: number;
        };
        Customer: {
            /** @description ISO 8601 */
            createdAt: string;
            externalId: string | null;
            id: string;
            name: string;
            /** @description Days this customer's events are kept; null: the platform default (RETENTION_DAYS) */
            retentionDays: number | null;
            tier: string;
        };
        CustomerPage: {
            data: components["schemas"]["Customer"][];
            /** @description Pass as `cursor` for the next page; null on the last */
            nextCursor: string | null;
        };
        DashboardUser: {
            customerId: string;
            email: string;
            id: string;
        };
        DataExpunge: {
            /** @description ISO 8601 */
            createdAt: string;
            customerId: string;
            /** @description Events expunged so far */
            expunged: number;
            finishedAt: string | null;
            id: string;
            /** @enum {string} */
            status: "running" | "completed";
            /** @description Events not yet expunged when it started */
            total: number;
        };
        Deleted: {
            /** @constant */
            deleted: true;
            id: string;
        };
        Delivery: {
            attemptCount: number;
            completedAt: string | null;
            /** @description ISO 8601 */
            createdAt: string;
            customerId: string;
            eventId: string;
            eventType: string;
            id: string;
            lastAttemptAt: string | null;
            lastError: string | null;
            lastResponseStatus: number | null;
            nextAttemptAt: string | null;
            /** @description The event's ordering key: this delivery goes after the earlier ones of its lane */
            orderingKey: string | null;
            replayCount: number;
            /** @enum {string} */
            status: "pending" | "held" | "succeeded" | "dead";
            subscriptionId: string;
            waiting: components["schemas"]["Waiting"];
        };
        DeliveryDetail: {
            attemptCount: number;
            /** @description The latest 50 attempts, oldest first */
            attempts: components["schemas"]["Attempt"][];
            attemptsNextCursor: number | null;
            attemptsTotal: number;
            completedAt: string | null;
            /** @description ISO 8601 */
            createdAt: string;
            customerId: string;
            eventId: string;
            eventType: string;
            id: string;
            lastAttemptAt: string | null;
            lastError: string | null;
            lastResponseStatus: number | null;
            nextAttemptAt: string | null;
            /** @description The event's ordering key: this delivery goes after the earlier ones of its lane */
            orderingKey: string | null;
            /** @description When the event's payload was expunged: the body and every attempt's request and response headers and body are gone */
            payloadExpungedAt: string | null;
            replayCount: number;
            /** @description The event's exact body, what every attempt sent unless a transform changed it (then the attempt's `request.transformedBody`); absent with `includeBody=false`, or once the payload was expunged */
            requestBody?: string;
            /** @enum {string} */
            status: "pending" | "held" | "succeeded" | "dead";
            subscriptionId: string;
            subscriptionUrl: string;
            waiting: components["schemas"]["Waiting"];
        };
        DeliveryPage: {
            data: components["schemas"]["Delivery"][];
            /** @description Pass as `cursor` for the next page; null on the last */
            nextCursor: string | null;
        };
        /** @description How attempts authenticate to the endpoint (no secret: never the private key or the client secret); null: none */
        EndpointAuthentication: ({
            /** @description SHA-256 fingerprint of the certificate, colon-separated hex (as `openssl x509 -fingerprint -sha256` prints it) */
            fingerprint: string;
            issuer: string;
            /** @description When the certificate expires; `subscription.certificate_expiring` is sent 14 days before */
            notAfter: string;
            /** @description ISO 8601 */
            notBefore: string;
            /** @description When the certificate was given */
            setAt: string;
            /** @description The client certificate's subject, e.g. `CN=hookrelay-client, O=Acme` */
            subject: string;
            /** @constant */
            type: "mtls";
        } | {
            clientId: string;
            scope: string | null;
            /** @description When the credentials were given */
            setAt: string;
            tokenUrl: string;
            /** @constant */
            type: "oauth2";
        }) | null;
        Error: {
            /** @description A 500 (`internal`) carries only `code` and `requestId`; every other error has a `message` */
            error: {
                /** @enum {string} */
                code: "bad_request" | "unauthorized" | "forbidden" | "not_found" | "method_not_allowed" | "conflict" | "payload_too_large" | "rate_limited" | "unavailable" | "internal";
                /** @description The offending field, when one is to blame */
                field?: string;
                message?: string;
                /** @description On a 500: the id under which the server logged what went wrong */
                requestId?: string;
            };
            /** @description On a 400: every problem of the input, one entry per field (`reason` is `unknown field` for a field the operation does not take) */
            errors?: {
                field?: string;
                /** @description JSON pointer (RFC 6901) within an event's `data`, when the event type's schema refused it */
                pointer?: string;
                reason: string;
            }[];
        };
        Event: {
            /** @description The channels the event is in (routing) */
            channels: string[];
            /** @description ISO 8601 */
            createdAt: string;
            /** @description Null for a broadcast */
            customerId: string | null;
            /** @description The first 50 deliveries */
            deliveries: components["schemas"]["Delivery"][];
            deliveriesTotal: number;
            deliveryCount: number | null;
            /** @description Deliveries by status */
            deliveryStatus: {
                [key: string]: number;
            };
            fannedOut: boolean;
            id: string;
            idempotencyKey: string | null;
            /** @description Its ordering lane within each subscription (null: unordered) */
            orderingKey: string | null;
            /** @description The delivered body `{id, type, timestamp, data}`, parsed (null once expunged) */
            payload: unknown;
            /** @description When the payload was expunged (`DELETE /events/{id}/payload`): `payload` is then null */
            payloadExpungedAt: string | null;
            /** @description ISO 8601 */
            retentionUntil: string;
            routing: {
                /** @enum {string} */
                decision: "matched" | "held" | "test" | "not_matched" | "filtered";
                eventTypes: string[];
                /** @description For `filtered`: the filter condition that did not hold; null otherwise */
                failedCondition: string | null;
                matched: boolean;
                reason: string;
                subscriptionId: string;
                url: string;
            }[];
            /** @description Labels for search */
            tags: string[];
            type: string;
        };
        EventListItem: {
            /** @description The channels the event is in (routing) */
            channels: string[];
            /** @description ISO 8601 */
            createdAt: string;
            /** @description Null for a broadcast */
            customerId: string | null;
            deliveryCount: number | null;
            /** @description Deliveries by status */
            deliveryStatus: {
                [key: string]: number;
            };
            fannedOut: boolean;
            id: string;
            idempotencyKey: string | null;
            /** @description Its ordering lane within each subscription (null: unordered) */
            orderingKey: string | null;
            /** @description The whole delivered body, parsed (only with `full=true`) */
            payload?: unknown;
            payloadBytes: number;
            /** @description When the payload was expunged (`DELETE /events/{id}/payload`): `payload` is then null */
            payloadExpungedAt: string | null;
            /** @description The first 1 KiB of the delivered body */
            payloadPreview: string;
            payloadTruncated: boolean;
            /** @description ISO 8601 */
            retentionUntil: string;
            /** @description Labels for search */
            tags: string[];
            type: string;
        };
        EventPage: {
            data: components["schemas"]["EventListItem"][];
            /** @description Pass as `cursor` for the next page; null on the last */
            nextCursor: string | null;
        };
        EventType: {
            archived: boolean;
            archivedAt: string | null;
            /** @description ISO 8601 */
            createdAt: string;
            description: string | null;
            /** @description An example `data`, or null */
            example: unknown;
            name: string;
            /** @description JSON Schema (2020-12) for `data`, or null */
            schema: unknown;
            /** @description ISO 8601 */
            updatedAt: string;
        };
        EventTypePage: {
            data: components["schemas"]["EventType"][];
            /** @description Pass as `cursor` for the next page; null on the last */
            nextCursor: string | null;
        };
        ExpungedEvent: {
            /** @description Pending or held deliveries this request ended as dead ("payload expunged") */
            deliveriesEnded: number;
            /** @description When the payload was expunged (the first time, when expunged again) */
            expungedAt: string;
            id: string;
        };
        FilterDryRun: {
            events: {
                id: string;
                matches: boolean;
                reason: string;
                type: string;
            }[];
            matching: number;
            total: number;
        };
        LaneSkip: {
            orderingKey: string;
            skippedDeliveryId: string;
            /**
             * @description The skipped head's status now (`dead`: a dead letter, replayable)
             * @enum {string}
             */
            status: "pending" | "held" | "succeeded" | "dead";
        };
        OperationalDelivery: {
            attemptCount: number;
            completedAt: string | null;
            /** @description ISO 8601 */
            createdAt: string;
            /** @description The `webhook-id` header: the same for every webhook and attempt of one operational event */
            eventId: string;
            /** @enum {string} */
            eventType: "subscription.failing" | "subscription.recovered" | "subscription.disabled" | "delivery.dead" | "subscription.certificate_expiring";
            id: string;
            lastAttemptAt: string | null;
            lastError: string | null;
            lastResponseStatus: number | null;
            nextAttemptAt: string | null;
            /** @description The body sent: `{id, type, timestamp, data}` */
            payload: unknown;
            /** @enum {string} */
            status: "pending" | "succeeded" | "dead";
            webhookId: string;
        };
        OperationalDeliveryPage: {
            data: components["schemas"]["OperationalDelivery"][];
            /** @description Pass as `cursor` for the next page; null on the last */
            nextCursor: string | null;
        };
        OperationalWebhook: {
            /** @description ISO 8601 */
            createdAt: string;
            description: string | null;
            /** @description The event types sent here; null: every type */
            eventTypes: ("subscription.failing" | "subscription.recovered" | "subscription.disabled" | "delivery.dead" | "subscription.certificate_expiring")[] | null;
            id: string;
            secretRotationEndsAt: string | null;
            /** @description ISO 8601 */
            updatedAt: string;
            url: string;
        };
        OperationalWebhookPage: {
            data: components["schemas"]["OperationalWebhook"][];
            /** @description Pass as `cursor` for the next page; null on the last */
            nextCursor: string | null;
        };
        OperationalWebhookWithSecret: {
            /** @description ISO 8601 */
            createdAt: string;
            description: string | null;
            /** @description The event types sent here; null: every type */
            eventTypes: ("subscription.failing" | "subscription.recovered" | "subscription.disabled" | "delivery.dead" | "subscription.certificate_expiring")[] | null;
            id: string;
            /** @description The `whsec_` secret that signs what is sent here (Standard Webhooks v1) */
            secret: string;
            secretRotationEndsAt: string | null;
            /** @description ISO 8601 */
            updatedAt: string;
            url: string;
        };
        PortalLink: {
            embed: boolean;
            /** @description ISO 8601 */
            expiresAt: string;
            readOnly: boolean;
            url: string;
        };
        PublishBatchResult: {
            /** @description One result per event, in order: the accepted event, or why it was refused */
            results: (components["schemas"]["PublishResult"] | {
                error: {
                    /** @enum {string} */
                    code: "bad_request" | "unauthorized" | "forbidden" | "not_found" | "method_not_allowed" | "conflict" | "payload_too_large" | "rate_limited" | "unavailable" | "internal";
                    /** @description Every problem, when there are several */
                    errors?: {
                        field?: string;
                        reason: string;
                    }[];
                    field?: string;
                    reason: string;
                };
            })[];
        };
        PublishResult: {
            /** @description Deliveries created; null while a fan-out job creates them (broadcasts, very many subscriptions) */
            deliveries: number | null;
            /** @description True when the idempotency key returned an earlier event */
            duplicate: boolean;
            id: string;
        };
        RevokedApiKey: {
            /** @description ISO 8601 */
            createdAt: string;
            customerId: string | null;
            id: string;
            /** @enum {string} */
            kind: "customer" | "platform";
            lastUsedAt: string | null;
            name: string | null;
            /** @description The first 12 characters of the key (the key itself is shown only once) */
            prefix: string;
            revoked: boolean;
            revokedAt: string | null;
            /** @description What the key may do: `publish`, `read`, `manage`, `keys` (a platform key holds all four) */
            scopes: string[];
        };
        SigningSecret: {
            /** @description What receivers verify with: the `whsec_` secret (`v1`) or the `whpk_` public key (`v1a`) */
            secret: string;
        };
        Subscription: {
            active: boolean;
            auth: components["schemas"]["EndpointAuthentication"];
            /** @description Hookrelay disables it once its attempts have all failed for this many hours; null: never */
            autoDisableAfterHours: number | null;
            breaker: {
                consecutiveFailures: number;
                openedAt: string | null;
                probeAt: string | null;
                /** @enum {string} */
                state: "closed" | "open" | "half_open";
            };
            /** @description Only events in at least one of these channels; empty: every event */
            channels: string[];
            /** @description ISO 8601 */
            createdAt: string;
            customerId: string;
            description: string | null;
            /** @description Why Hookrelay disabled it (410 Gone, or no successful attempt for too long); null if paused by a user */
            disabledReason: string | null;
            eventTypes: string[];
            /** @description When the first failed attempt since the last success was made; null while the last attempt succeeded */
            failingSince: string | null;
            /** @description The payload filter (null: every event of a matching type) */
            filter: {
                [key: string]: unknown;
            } | null;
            /** @description Custom header names, each with the value "[redacted]" */
            headers: {
                [key: string]: string;
            };
            heldDeliveries: number;
            id: string;
            maxInFlight: number;
            /**
             * @description Ordering lanes: when a lane's head becomes a dead letter, `lenient` moves on, `strict` stays blocked until it is replayed or skipped
             * @enum {string}
             */
            ordering: "lenient" | "strict";
            rateLimitPerSecond: number | null;
            retryPolicy: {
                maxAttempts?: number;
                scheduleSeconds?: number[];
            } | null;
            secretRotationEndsAt: string | null;
            /** @enum {string} */
            signatureScheme: "v1" | "v1a";
            timeoutMs: number;
            /** @description Attempts carry the W3C `traceparent` header (when the deployment exports traces) */
            traceContext: boolean;
            /** @description The transformation (JavaScript defining `transform(webhook)`), or null */
            transform: string | null;
            /** @description Goes up by one with every change of `transform` (0: never had one) */
            transformVersion: number;
            /** @description ISO 8601 */
            updatedAt: string;
            url: string;
            waiting: components["schemas"]["Waiting"];
        };
        SubscriptionPage: {
            data: components["schemas"]["Subscription"][];
            /** @description Pass as `cursor` for the next page; null on the last */
            nextCursor: string | null;
        };
        SubscriptionStats: {
            /** @enum {string} */
            breakerState: "closed" | "open" | "half_open";
            current: {
                dead: number;
                held: number;
                pending: number;
            };
            minutes: {
                dispatched: number;
                failed: number;
                held: number | null;
                latencyP50Ms: number | null;
                latencyP99Ms: number | null;
                /** @description ISO 8601 */
                minute: string;
                queueDepth: number | null;
                succeeded: number;
            }[];
            rateLimitPerSecond: number | null;
            subscriptionId: string;
        };
        SubscriptionWithSecret: {
            active: boolean;
            auth: components["schemas"]["EndpointAuthentication"];
            /** @description Hookrelay disables it once its attempts have all failed for this many hours; null: never */
            autoDisableAfterHours: number | null;
            breaker: {
                consecutiveFailures: number;
                openedAt: string | null;
                probeAt: string | null;
                /** @enum {string} */
                state: "closed" | "open" | "half_open";
            };
            /** @description Only events in at least one of these channels; empty: every event */
            channels: string[];
            /** @description ISO 8601 */
            createdAt: string;
            customerId: string;
            description: string | null;
            /** @description Why Hookrelay disabled it (410 Gone, or no successful attempt for too long); null if paused by a user */
            disabledReason: string | null;
            eventTypes: string[];
            /** @description When the first failed attempt since the last success was made; null while the last attempt succeeded */
            failingSince: string | null;
            /** @description The payload filter (null: every event of a matching type) */
            filter: {
                [key: string]: unknown;
            } | null;
            /** @description Custom header names, each with the value "[redacted]" */
            headers: {
                [key: string]: string;
            };
            heldDeliveries: number;
            id: string;
            maxInFlight: number;
            /**
             * @description Ordering lanes: when a lane's head becomes a dead letter, `lenient` moves on, `strict` stays blocked until it is replayed or skipped
             * @enum {string}
             */
            ordering: "lenient" | "strict";
            rateLimitPerSecond: number | null;
            retryPolicy: {
                maxAttempts?: number;
                scheduleSeconds?: number[];
            } | null;
            /** @description What receivers verify with: the `whsec_` secret (`v1`) or the `whpk_` public key (`v1a`) */
            secret: string;
            secretRotationEndsAt: string | null;
            /** @enum {string} */
            signatureScheme: "v1" | "v1a";
            timeoutMs: number;
            /** @description Attempts carry the W3C `traceparent` header (when the deployment exports traces) */
            traceContext: boolean;
            /** @description The transformation (JavaScript defining `transform(webhook)`), or null */
            transform: string | null;
            /** @description Goes up by one with every change of `transform` (0: never had one) */
            transformVersion: number;
            /** @description ISO 8601 */
            updatedAt: string;
            url: string;
            waiting: components["schemas"]["Waiting"];
        };
        TestEventResult: {
            /** @description Deliveries created; null while a fan-out job creates them (broadcasts, very many subscriptions) */
            deliveries: number | null;
            deliveryId: string;
            /** @description True when the idempotency key returned an earlier event */
            duplicate: boolean;
            id: string;
        };
        TransformDryRun: {
            /** @description What would be sent with it; null when it cancelled or failed */
            after: components["schemas"]["WebhookRequest"] | null;
            /** @description What would be sent without the transform (a dry run has no subscription: the URL is https://example.com/webhook, with no custom headers) */
            before: components["schemas"]["WebhookRequest"];
            /** @description The transform returned `cancel: true`: nothing would be sent, and the delivery would end as succeeded */
            cancelled: boolean;
            /** @description CPU time the transform took, of its 50 ms */
            cpuMs: number;
            /** @description Why the attempt would fail: `transform` (it threw, ran out of time or memory, or returned something unsendable: retried) or `blocked_target` (its `url` is refused: dead at once) */
            error: {
                /** @enum {string} */
                class: "transform" | "blocked_target";
                message: string;
            } | null;
            /** @description The event it ran on; null: a sample `hookrelay.test` event (the customer has published none) */
            event: {
                id: string;
                type: string;
            } | null;
        };
        Usage: {
            data: {
                /** @description The stored body bytes of the events published (a broadcast: once per customer it reached) */
                bytesPublished: number;
                bytesSent: number;
                customerId: string;
                day: string;
                deliveriesAttempted: number;
                deliveriesFailed: number;
                deliveriesSucceeded: number;
                eventsPublished: number;
            }[];
            /** @description First day (YYYY-MM-DD, UTC) */
            from: string;
            /** @description The customer's quotas; `used` is null when usage of every customer is listed */
            quotas: {
                /** @description Events a customer may publish per UTC day (null: no quota) and how many it published today */
                eventsPerDay: {
                    limit: number | null;
                    used: number | null;
                };
                /** @description The sum of a customer's subscription windows (maxInFlight) allowed, and taken */
                inFlightTotal: {
                    limit: number;
                    used: number | null;
                };
                /** @description Event body bytes a customer may store (null: no quota), and the bytes it published over the days retention still keeps (RETENTION_DAYS UTC days, today included) */
                storedBytes: {
                    limit: number | null;
                    used: number | null;
                };
            };
            /** @description Last day */
            to: string;
            totals: {
                /** @description The stored body bytes of the events published (a broadcast: once per customer it reached) */
                bytesPublished: number;
                bytesSent: number;
                deliveriesAttempted: number;
                deliveriesFailed: number;
                deliveriesSucceeded: number;
                eventsPublished: number;
            };
        };
        /** @description What it is waiting for and when it goes; null: nothing (finished, or for a subscription: nothing holds its deliveries back) */
        Waiting: ({
            /** @description Its next attempt (in the past: due now) */
            at: string;
            /** @constant */
            kind: "scheduled";
        } | {
            /** @constant */
            kind: "sending";
        } | {
            /** @constant */
            kind: "window";
        } | {
            /** @constant */
            kind: "rate-limit";
        } | {
            /** @description The circuit breaker's probe (null: a probe is in flight now) */
            at: string | null;
            /** @description Its retry window ends before the probe: then it becomes a dead letter */
            deadAt: string | null;
            /** @constant */
            kind: "breaker";
        } | {
            /** @constant */
            kind: "paused";
        } | {
            /** @constant */
            kind: "disabled";
            /** @description Why Hookrelay disabled the subscription */
            reason: string;
        }) | null;
        WebhookRequest: {
            /** @description The exact body */
            body: string;
            /** @description The custom headers (Hookrelay's own, the signature among them, are added at send time) */
            headers: {
                [key: string]: string;
            };
            url: string;
        };
    };
    responses: {
        /** @description Error */
        Error: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    "customers.allApiKeys": {
        parameters: {
            query?: {
                cursor?: string;
                customerId?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyPage"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "customers.revokeApiKey": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RevokedApiKey"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "audit.log": {
        parameters: {
            query?: {
                action?: string;
                cursor?: string;
                customerId?: string;
                from?: string;
                limit?: number;
                targetId?: string;
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditLogPage"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "customers.list": {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CustomerPage"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "customers.create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The platform's own id for this customer (unique) */
                    externalId?: string;
                    /** @example Acme Corp */
                    name: string;
                    /** @description Concurrency tier (default `standard`) */
                    tier?: string;
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Customer"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "customers.get": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Customer"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "customers.update": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description Days this customer's events are kept, 1 to RETENTION_MAX_DAYS; null: the platform default. A shortening applies to stored events too */
                    retentionDays?: number | null;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Customer"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "customers.listApiKeys": {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyPage"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "customers.createApiKey": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    name?: string;
                    /**
                     * @description What the key may do: `publish` (publish events), `read` (every read), `manage` (every other change), `keys` (create, list, revoke keys). Default `["publish", "read"]`; at most the scopes of the key that creates it
                     * @example [
                     *       "publish",
                     *       "read"
                     *     ]
                     */
                    scopes?: ("publish" | "read" | "manage" | "keys")[];
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedApiKey"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "customers.dataExpunge": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DataExpunge"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "customers.expungeData": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedDataExpunge"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "customers.portalLink": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description A link for an <iframe> in your own app: the dashboard without its navigation, frameable only by PORTAL_FRAME_ANCESTORS */
                    embed?: boolean;
                    /** @description Sign in with a session that cannot change anything */
                    readOnly?: boolean;
                    /** @description The embedded view's look (embed links only) */
                    theme?: {
                        /**
                         * @description Buttons, links and focus rings (default: indigo)
                         * @example #0f766e
                         */
                        accentColor?: string;
                        /**
                         * @description Light, dark, or the viewer's system setting (default)
                         * @enum {string}
                         */
                        colorScheme?: "light" | "dark" | "system";
                        /**
                         * @description Shown at the top of the embedded view
                         * @example https://app.example.com/logo.svg
                         */
                        logoUrl?: string;
                    };
                    /** @description Link lifetime (default 900) */
                    ttlSeconds?: number;
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PortalLink"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "customers.createUser": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: email
                     * @example ops@acme.example
                     */
                    email: string;
                    /** @example correct-horse-battery */
                    password: string;
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DashboardUser"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "deliveries.list": {
        parameters: {
            query?: {
                cursor?: string;
                customerId?: string;
                eventId?: string;
                eventType?: string;
                from?: string;
                limit?: number;
                status?: "pending" | "held" | "succeeded" | "dead";
                subscriptionId?: string;
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeliveryPage"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "deliveries.get": {
        parameters: {
            query?: {
                attemptsCursor?: number;
                includeBody?: boolean | ("true" | "false");
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeliveryDetail"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "deliveries.replay": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Success */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Delivery"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "eventTypes.list": {
        parameters: {
            query?: {
                archived?: boolean | ("true" | "false");
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventTypePage"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "eventTypes.create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    description?: string;
                    /** @description An example of `data`, shown in the catalog (must satisfy `schema`) */
                    example?: unknown;
                    /**
                     * @description The event type, e.g. `order.created`
                     * @example order.created
                     */
                    name: string;
                    /**
                     * @description JSON Schema (2020-12) that a published event's `data` must satisfy
                     * @example {
                     *       "type": "object",
                     *       "required": [
                     *         "amount"
                     *       ],
                     *       "properties": {
                     *         "amount": {
                     *           "type": "integer",
                     *           "minimum": 0
                     *         }
                     *       }
                     *     }
                     */
                    schema?: {
                        [key: string]: unknown;
                    } | boolean;
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventType"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "eventTypes.get": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventType"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "eventTypes.delete": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventType"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "eventTypes.update": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description `false` restores an archived type to the catalog */
                    archived?: boolean;
                    description?: string | null;
                    /** @description A new example of `data`, or null for none */
                    example?: unknown;
                    /** @description A new schema, or null to stop validating */
                    schema?: ({
                        [key: string]: unknown;
                    } | boolean) | null;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventType"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "events.list": {
        parameters: {
            query?: {
                channel?: string;
                cursor?: string;
                customerId?: string;
                from?: string;
                full?: boolean | ("true" | "false");
                id?: string;
                limit?: number;
                status?: "pending" | "held" | "succeeded" | "dead";
                subscriptionId?: string;
                tag?: string;
                to?: string;
                type?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventPage"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "events.publish": {
        parameters: {
            query?: never;
            header?: {
                /** @description The same as the body field `idempotencyKey` (give either, or both with the same value) */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description `true` delivers to every customer's matching subscriptions (platform key only; not with `customerId`) */
                    broadcast?: boolean;
                    /** @description The channels the event is in (at most 10; each 1 to 64 of `A-Z a-z 0-9 . _ : -`, no repeats). A subscription that names channels receives only events in at least one of them */
                    channels?: string[];
                    /**
                     * @description Deliver only to this customer. A platform key gives exactly one of `customerId` or `"broadcast": true`; a customer key may omit it (its own customer)
                     * @example cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E
                     */
                    customerId?: string;
                    /**
                     * @description Any JSON value, delivered exactly as published (numbers keep their text: `9007199254740993` stays itself)
                     * @example {
                     *       "amount": 4200,
                     *       "currency": "eur"
                     *     }
                     */
                    data: unknown;
                    /** @description Publishing again with the same key (per customer, or per broadcast) returns the first event */
                    idempotencyKey?: string;
                    /**
                     * @description Ordering lane: within each subscription, events with the same key are attempted one at a time, in publish order (a failing one holds the ones behind it). 1 to 256 characters. Absent: unordered
                     * @example order_1234
                     */
                    orderingKey?: string;
                    /** @description Labels for searching the event log (`GET /events?tag=`), at most 10 of 1 to 64 characters, no repeats; they route nothing */
                    tags?: string[];
                    /** @example charge.succeeded */
                    type: string;
                };
            };
        };
        responses: {
            /** @description Success */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PublishResult"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "events.get": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Event"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "events.expungePayload": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExpungedEvent"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "events.publishBatch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Up to 500 events, each `{type, data, customerId | broadcast: true, idempotencyKey?, channels?, tags?, orderingKey?}`
                     * @example [
                     *       {
                     *         "type": "charge.succeeded",
                     *         "customerId": "cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E",
                     *         "data": {
                     *           "amount": 4200
                     *         },
                     *         "idempotencyKey": "ch_1"
                     *       },
                     *       {
                     *         "type": "charge.refunded",
                     *         "customerId": "cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E",
                     *         "data": {
                     *           "amount": 100
                     *         }
                     *       }
                     *     ]
                     */
                    events: unknown[];
                };
            };
        };
        responses: {
            /** @description Success */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PublishBatchResult"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    openapi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
        };
    };
    "operationalWebhooks.list": {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OperationalWebhookPage"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "operationalWebhooks.create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    description?: string;
                    /** @description The event types to send here (default: every type) */
                    eventTypes?: ("subscription.failing" | "subscription.recovered" | "subscription.disabled" | "delivery.dead" | "subscription.certificate_expiring")[];
                    /** @example https://ops.example.com/hookrelay */
                    url: string;
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OperationalWebhookWithSecret"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "operationalWebhooks.get": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OperationalWebhook"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "operationalWebhooks.delete": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "operationalWebhooks.update": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    description?: string | null;
                    /** @description The event types to send here; null: every type */
                    eventTypes?: ("subscription.failing" | "subscription.recovered" | "subscription.disabled" | "delivery.dead" | "subscription.certificate_expiring")[] | null;
                    /** @example https://ops.example.com/hookrelay */
                    url?: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OperationalWebhook"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "operationalWebhooks.deliveries": {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
                status?: "pending" | "succeeded" | "dead";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OperationalDeliveryPage"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "operationalWebhooks.rotateSecret": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OperationalWebhookWithSecret"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "replays.list": {
        parameters: {
            query?: {
                cursor?: string;
                customerId?: string;
                kind?: "replay" | "backfill";
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BulkReplayPage"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "replays.create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /**
                     * @description Required with a platform key
                     * @example cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E
                     */
                    customerId?: string;
                    /** @description Exact type or pattern: `charge.*` (one segment), `charge.**` (any depth), `*` */
                    eventType?: string;
                    /**
                     * Format: date-time
                     * @description Created at or after (ISO 8601)
                     */
                    from?: string;
                    /** @example sub_01JZ3K8Q9V7W2X4Y6A8B0C2D4E */
                    subscriptionId?: string;
                    /**
                     * Format: date-time
                     * @description Created at or before (ISO 8601)
                     */
                    to?: string;
                };
            };
        };
        responses: {
            /** @description Success */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedBulkReplay"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "replays.get": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BulkReplay"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "replays.cancel": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BulkReplay"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.list": {
        parameters: {
            query?: {
                cursor?: string;
                customerId?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubscriptionPage"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    active?: boolean;
                    auth?: ({
                        /** @description PEM: the client certificate, then any intermediate certificates to send with it */
                        certificate: string;
                        /** @description PEM: the certificate's private key, unencrypted (PKCS#8, or RSA/EC). Encrypted at rest; never shown again */
                        privateKey: string;
                        /** @constant */
                        type: "mtls";
                    } | {
                        clientId: string;
                        /** @description Encrypted at rest; never shown again. On update, `"[redacted]"` keeps the stored secret (same token URL origin and endpoint origin only) */
                        clientSecret: string;
                        /** @description Space-separated scopes to ask for */
                        scope?: string;
                        /**
                         * @description Where tokens are requested (grant_type=client_credentials, client authentication HTTP Basic); the same rules as the endpoint URL
                         * @example https://auth.example.com/oauth/token
                         */
                        tokenUrl: string;
                        /** @constant */
                        type: "oauth2";
                    }) | null;
                    /** @description Disable the subscription (holding its deliveries) once its attempts have all failed for this many hours; null: never. Default: the deployment's AUTO_DISABLE_AFTER_HOURS (120) */
                    autoDisableAfterHours?: number | null;
                    /**
                     * @description Receive only events in at least one of these channels (at most 20, no repeats). Empty or absent: every event, whatever its channels
                     * @example [
                     *       "eu-west",
                     *       "orders"
                     *     ]
                     */
                    channels?: string[];
                    /**
                     * @description Required with a platform key
                     * @example cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E
                     */
                    customerId?: string;
                    description?: string;
                    /**
                     * @example [
                     *       "charge.*",
                     *       "invoice.paid"
                     *     ]
                     */
                    eventTypes: string[];
                    /**
                     * @description Deliver only events whose body `{id, type, timestamp, data}` satisfies this condition: dot paths (`data.amount`) to a literal or an operator object (`$eq $ne $gt $gte $lt $lte $in $nin $exists $startsWith $endsWith $contains $not`), and `$and`/`$or` (arrays) and `$not` (an object). At most 50 conditions, 8 levels, 4 KiB
                     * @example {
                     *       "data.amount": {
                     *         "$gte": 1000
                     *       },
                     *       "data.currency": {
                     *         "$in": [
                     *           "eur",
                     *           "usd"
                     *         ]
                     *       }
                     *     }
                     */
                    filter?: {
                        [key: string]: unknown;
                    };
                    /**
                     * @description Headers sent on every attempt, e.g. `Authorization` (at most 20, 4 KiB in all; not `webhook-*`, `content-type`, `content-length`, `host`, `user-agent`, `connection`, `transfer-encoding`). Values are secrets: reads show `"[redacted]"`
                     * @example {
                     *       "Authorization": "Bearer 9f8e7d6c"
                     *     }
                     */
                    headers?: {
                        [key: string]: string;
                    };
                    maxInFlight?: number;
                    /**
                     * @description Ordering lanes (events published with an `orderingKey`): when a lane's head becomes a dead letter, `lenient` (default) moves on to the next; `strict` keeps the lane blocked until the dead letter is replayed or skipped
                     * @enum {string}
                     */
                    ordering?: "lenient" | "strict";
                    rateLimitPerSecond?: number | null;
                    retryPolicy?: {
                        maxAttempts?: number;
                        scheduleSeconds?: number[];
                    };
                    /**
                     * @description `v1` (default): HMAC-SHA256 with a `whsec_` secret. `v1a`: Ed25519; the response carries the `whpk_` public key receivers verify with
                     * @enum {string}
                     */
                    signatureScheme?: "v1" | "v1a";
                    timeoutMs?: number;
                    /** @description Send the W3C `traceparent` header with every attempt, so the receiver can join the event's trace (when the deployment exports traces). Default: false */
                    traceContext?: boolean;
                    /**
                     * @description JavaScript defining `transform(webhook)`, run sandboxed before each attempt (no I/O, 50 ms of CPU, 16 MiB): `webhook` is `{url, headers, payload, eventType}` (`headers`: the custom headers; `payload`: the event body `{id, type, timestamp, data}`); it returns `{body?, headers?, url?, cancel?}`. At most 64 KiB; it must compile and define `transform`. See docs/transformations.md
                     * @example function transform(webhook) {
                     *       return { body: { text: "New " + webhook.eventType, amount: webhook.payload.data.amount } };
                     *     }
                     */
                    transform?: string;
                    /** @example https://example.com/webhooks */
                    url: string;
                };
            };
        };
        responses: {
            /** @description Success */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubscriptionWithSecret"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.get": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.delete": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.update": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    active?: boolean;
                    /** @description Replaces the endpoint authentication (null removes it; absent keeps it). Moving `url` to another origin needs it given again when it is `oauth2` (its tokens are for the old endpoint) */
                    auth?: ({
                        /** @description PEM: the client certificate, then any intermediate certificates to send with it */
                        certificate: string;
                        /** @description PEM: the certificate's private key, unencrypted (PKCS#8, or RSA/EC). Encrypted at rest; never shown again */
                        privateKey: string;
                        /** @constant */
                        type: "mtls";
                    } | {
                        clientId: string;
                        /** @description Encrypted at rest; never shown again. On update, `"[redacted]"` keeps the stored secret (same token URL origin and endpoint origin only) */
                        clientSecret: string;
                        /** @description Space-separated scopes to ask for */
                        scope?: string;
                        /**
                         * @description Where tokens are requested (grant_type=client_credentials, client authentication HTTP Basic); the same rules as the endpoint URL
                         * @example https://auth.example.com/oauth/token
                         */
                        tokenUrl: string;
                        /** @constant */
                        type: "oauth2";
                    }) | null;
                    /** @description Disable the subscription (holding its deliveries) once its attempts have all failed for this many hours; null: never. Default: the deployment's AUTO_DISABLE_AFTER_HOURS (120) */
                    autoDisableAfterHours?: number | null;
                    /**
                     * @description Receive only events in at least one of these channels (at most 20, no repeats). Empty or absent: every event, whatever its channels
                     * @example [
                     *       "eu-west",
                     *       "orders"
                     *     ]
                     */
                    channels?: string[];
                    description?: string | null;
                    /**
                     * @example [
                     *       "charge.*",
                     *       "invoice.paid"
                     *     ]
                     */
                    eventTypes?: string[];
                    /** @description A new filter, or null to deliver every matching event */
                    filter?: {
                        [key: string]: unknown;
                    } | null;
                    /** @description Replaces the custom headers (null or {} removes them). A value of `"[redacted]"` keeps the stored value of that header, so a read can be edited and sent back */
                    headers?: {
                        [key: string]: string;
                    } | null;
                    /**
                     * @description With `active: true` on a paused or disabled subscription: `release` (default) sends what was held, in publish order; `discard` turns it into dead letters
                     * @enum {string}
                     */
                    heldDeliveries?: "release" | "discard";
                    maxInFlight?: number;
                    /**
                     * @description Ordering lanes (events published with an `orderingKey`): when a lane's head becomes a dead letter, `lenient` (default) moves on to the next; `strict` keeps the lane blocked until the dead letter is replayed or skipped
                     * @enum {string}
                     */
                    ordering?: "lenient" | "strict";
                    rateLimitPerSecond?: number | null;
                    retryPolicy?: {
                        maxAttempts?: number;
                        scheduleSeconds?: number[];
                    } | null;
                    /** @description Cannot be changed: create a new subscription with the new scheme */
                    signatureScheme?: unknown;
                    timeoutMs?: number;
                    /** @description Send the W3C `traceparent` header with every attempt, so the receiver can join the event's trace (when the deployment exports traces). Default: false */
                    traceContext?: boolean;
                    /** @description A new transformation (its version goes up by one), or null to remove it. See `transform` on create and docs/transformations.md */
                    transform?: string | null;
                    /** @example https://example.com/webhooks */
                    url?: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.backfill": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Only events of these types or patterns (as in a subscription), among those the subscription's own patterns match
                     * @example [
                     *       "order.*"
                     *     ]
                     */
                    eventTypes?: string[];
                    /**
                     * Format: date-time
                     * @description Send events published at or after this time (ISO 8601, required). Older than the customer's retention window: from the oldest time still kept (`clampedFrom` says so)
                     */
                    from: string;
                    /**
                     * Format: date-time
                     * @description …and before this time (ISO 8601; default and at most: now)
                     */
                    to?: string;
                };
            };
        };
        responses: {
            /** @description Success */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Backfill"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.backfillPreview": {
        parameters: {
            query: {
                eventTypes?: string;
                from: string;
                to?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackfillPreview"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.backfills": {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BulkReplayPage"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.lanes": {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BlockedLanePage"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.skipLaneHead": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description The lane to move on
                     * @example order_1234
                     */
                    orderingKey: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LaneSkip"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.retryNow": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.rotateSecret": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubscriptionWithSecret"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.secret": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SigningSecret"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.stats": {
        parameters: {
            query?: {
                minutes?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubscriptionStats"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.test": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Success */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TestEventResult"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.testFilter": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Receive only events in at least one of these channels (at most 20, no repeats). Empty or absent: every event, whatever its channels
                     * @example [
                     *       "eu-west",
                     *       "orders"
                     *     ]
                     */
                    channels?: string[];
                    /**
                     * @description Required with a platform key
                     * @example cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E
                     */
                    customerId?: string;
                    /**
                     * @example [
                     *       "order.*"
                     *     ]
                     */
                    eventTypes: string[];
                    /**
                     * @description Deliver only events whose body `{id, type, timestamp, data}` satisfies this condition: dot paths (`data.amount`) to a literal or an operator object (`$eq $ne $gt $gte $lt $lte $in $nin $exists $startsWith $endsWith $contains $not`), and `$and`/`$or` (arrays) and `$not` (an object). At most 50 conditions, 8 levels, 4 KiB
                     * @example {
                     *       "data.amount": {
                     *         "$gte": 1000
                     *       },
                     *       "data.currency": {
                     *         "$in": [
                     *           "eur",
                     *           "usd"
                     *         ]
                     *       }
                     *     }
                     */
                    filter?: {
                        [key: string]: unknown;
                    };
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FilterDryRun"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "subscriptions.testTransform": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Required with a platform key
                     * @example cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E
                     */
                    customerId?: string;
                    /**
                     * @description The event to run it on (default: the customer's most recent event)
                     * @example evt_01JZ3K8Q9V7W2X4Y6A8B0C2D4E
                     */
                    eventId?: string;
                    /**
                     * @description JavaScript defining `transform(webhook)`, run sandboxed before each attempt (no I/O, 50 ms of CPU, 16 MiB): `webhook` is `{url, headers, payload, eventType}` (`headers`: the custom headers; `payload`: the event body `{id, type, timestamp, data}`); it returns `{body?, headers?, url?, cancel?}`. At most 64 KiB; it must compile and define `transform`. See docs/transformations.md
                     * @example function transform(webhook) {
                     *       return { body: { text: "New " + webhook.eventType, amount: webhook.payload.data.amount } };
                     *     }
                     */
                    transform: string;
                };
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransformDryRun"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    "audit.usage": {
        parameters: {
            query?: {
                customerId?: string;
                from?: string;
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Usage"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
}
