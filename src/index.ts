export * from './core/index.ts';
export * from './schedule/index.ts';
export * from './policies/index.ts';
export * from './faults/index.ts';
