import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isHandoffValidationError, type HandoffValidationError } from './errors/index.ts';
import { messageSchema, validateHandoff, type AgentMessage } from './message.ts';

const product = z.object({
  sku: z.string(),
  price: z.number().positive(),
  tags: z.array(z.string()),
});

const good: AgentMessage<z.infer<typeof product>> = {
  id: 'r:m2',
  type: 'product.published',
  from: 'product',
  to: 'marketing',
  runId: 'r',
  createdAt: 1000,
  payload: { sku: 'SKU-1', price: 12.5, tags: ['a'] },
};

function rejection(fn: () => unknown): HandoffValidationError {
  try {
    fn();
  } catch (error) {
    if (isHandoffValidationError(error)) return error;
    throw error;
  }
  throw new Error('expected a HandoffValidationError');
}

describe('validateHandoff', () => {
  it('passes a valid message, as an object or as JSON text', () => {
    const route = { from: 'product', to: 'marketing' };
    expect(validateHandoff(good, route, product)).toEqual(good);
    expect(validateHandoff(JSON.stringify(good), route, product)).toEqual(good);
  });

  it('rejects a corrupted payload field, naming the path and the value found', () => {
    const corrupted = { ...good, payload: { ...good.payload, price: '12.5' } };
    const error = rejection(() =>
      validateHandoff(corrupted, { from: 'product', to: 'marketing' }, product),
    );
    expect(error.code).toBe('FL_HANDOFF_INVALID');
    expect(error.from).toBe('product');
    expect(error.to).toBe('marketing');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ path: 'payload.price', value: '12.5' });
    expect(error.message).toMatch(
      /^hand-off product -> marketing rejected: payload\.price: .*number.* \(got "12\.5"\)$/,
    );
  });

  it('names array indexes and counts further issues', () => {
    const corrupted = { ...good, id: '', payload: { sku: 'x', price: 1, tags: ['a', 7] } };
    const error = rejection(() => validateHandoff(corrupted, { from: 'a', to: 'b' }, product));
    expect(error.issues.map((i) => i.path)).toEqual(['id', 'payload.tags[1]']);
    expect(error.issues[1]!.value).toBe(7);
    expect(error.message).toContain('and 1 more issue(s)');
  });

  it('rejects text that is not JSON (a truncated message)', () => {
    const text = JSON.stringify(good).slice(0, 40);
    const error = rejection(() => validateHandoff(text, { from: 'a', to: 'b' }, product));
    expect(error.issues[0]!.path).toBe('(message)');
    expect(error.issues[0]!.message).toMatch(/^not valid JSON/);
    expect(error.issues[0]!.value).toBe(text);
  });

  it('checks the envelope even without a payload schema', () => {
    const withoutRun: Record<string, unknown> = { ...good };
    delete withoutRun.runId;
    const error = rejection(() => validateHandoff(withoutRun, { from: 'a', to: 'b' }));
    expect(error.issues[0]!.path).toBe('runId');
    expect(error.issues[0]!.value).toBeUndefined();
    expect(error.message).toContain('(got nothing)');
  });

  it('builds one message schema per payload schema', () => {
    expect(messageSchema(product)).toBe(messageSchema(product));
    expect(messageSchema()).toBe(messageSchema());
  });
});
