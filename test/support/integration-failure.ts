import { IntegrationError } from '../../src/common/errors';

/** Awaits a call that must fail with a classified IntegrationError and returns that error. */
export async function integrationFailure(p: Promise<unknown>): Promise<IntegrationError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof IntegrationError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}
