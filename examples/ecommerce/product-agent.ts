import type { Agent } from '../../src/agents/index.ts';
import { InvalidProductError } from './errors.ts';
import { describeRequest, descriptionAnswer, templateDescription } from './prompts.ts';
import type { ResilienceKit } from './resilience-kit.ts';
import { publishResultSchema, uploadResultSchema } from './tools.ts';
import {
  productInputSchema,
  publishedProductSchema,
  type ProductInput,
  type PublishedProduct,
} from './schemas.ts';

/** What the product agent checkpoints as it goes. */
interface ProductProgress {
  readonly sku: string;
  readonly description?: string;
  readonly descriptionSource?: 'llm' | 'template';
  readonly imageUrls?: readonly string[];
  readonly listing?: { readonly listingId: string; readonly listingUrl: string };
}

function validate(payload: unknown): ProductInput {
  const parsed = productInputSchema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'product' : issue.path.join('.');
  throw new InvalidProductError(`invalid product: ${where}: ${issue?.message ?? 'invalid'}`);
}

/**
 * The product agent: validates the submitted product (25%), drafts its description through the
 * LLM (50%), uploads its images through a tool (50–75%, one idempotent side effect per image,
 * after a checkpoint because uploads are risky), and publishes the listing (100%). It
 * checkpoints after each step, so a restart skips what is done; its hand-off to marketing is
 * the published listing.
 */
export function createProductAgent(kit: ResilienceKit): Agent<ProductInput, PublishedProduct> {
  return {
    name: 'product',
    output: publishedProductSchema,
    async process(message, context) {
      const input = validate(message.payload);
      const saved = await context.checkpoint.load<ProductProgress>();
      let state: ProductProgress =
        saved?.state.sku === input.sku ? saved.state : { sku: input.sku };
      await context.progress(0.25);

      if (state.description === undefined) {
        const { value, fellBack } = await kit.generateOr(
          'product',
          describeRequest(input),
          context,
          descriptionAnswer,
          () => templateDescription(input),
        );
        state = { ...state, description: value, descriptionSource: fellBack ? 'template' : 'llm' };
        await context.checkpoint.save(state);
      }
      await context.progress(0.5);

      if (state.imageUrls === undefined) {
        const before = state;
        const imageUrls = await context.checkpoint.beforeRisky(
          'upload-images',
          before,
          async () => {
            const urls: string[] = [];
            for (const [index, image] of input.images.entries()) {
              const { url } = await context.sideEffect(`upload:${input.sku}:${index}`, (key) =>
                kit.tool(
                  'product',
                  'upload-image',
                  context,
                  (signal) =>
                    kit.tools.uploadImage({ sku: input.sku, index, ...image }, key, signal),
                  uploadResultSchema,
                ),
              );
              urls.push(url);
              await context.progress(0.5 + (0.25 * (index + 1)) / input.images.length);
            }
            return urls;
          },
        );
        state = { ...state, imageUrls };
        await context.checkpoint.save(state);
      }

      if (state.listing === undefined) {
        const current = state;
        const listing = await context.sideEffect(`publish:${input.sku}`, (key) =>
          kit.tool(
            'product',
            'publish-product',
            context,
            (signal) =>
              kit.tools.publishProduct(
                {
                  sku: input.sku,
                  name: input.name,
                  price: input.price,
                  currency: input.currency,
                  description: current.description ?? '',
                  images: current.imageUrls ?? [],
                },
                key,
                signal,
              ),
            publishResultSchema,
          ),
        );
        state = { ...state, listing };
        await context.checkpoint.save(state);
      }
      await context.progress(1);

      return context.message(
        'product.published',
        {
          sku: input.sku,
          name: input.name,
          category: input.category,
          price: input.price,
          currency: input.currency,
          features: input.features,
          description: state.description ?? '',
          descriptionSource: state.descriptionSource ?? 'llm',
          imageUrls: [...(state.imageUrls ?? [])],
          listingId: state.listing?.listingId ?? '',
          listingUrl: state.listing?.listingUrl ?? '',
        },
        { to: 'marketing', correlationId: message.id },
      );
    },
  };
}
