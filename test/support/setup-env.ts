process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL ??= 'silent';
// Tests say which day they live on (test/support/test-clock.ts); a TSM_NOW of the shell running them does not leak in.
delete process.env.TSM_NOW;
