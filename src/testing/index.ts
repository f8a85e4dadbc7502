export { expectResilient, type ResilienceExpectation } from './expect-resilient.ts';
