/** DI tokens for values that are not classes. */
export const CONFIG = Symbol('CONFIG');
export const REDIS = Symbol('REDIS'); // the shared ioredis client for ledger, audit, cursors
export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION'); // ioredis options every client starts from: one address or the sentinels
export const DISTRICTS = Symbol('DISTRICTS'); // District[] from the districts file (src/config/districts.ts)
