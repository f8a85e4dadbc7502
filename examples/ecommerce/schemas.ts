import { z } from 'zod';

/** What the caller submits: a product to put on sale. */
export const productInputSchema = z.object({
  sku: z
    .string()
    .regex(/^[A-Z0-9-]{3,32}$/, 'an upper-case SKU of 3 to 32 letters, digits, dashes'),
  name: z.string().min(2).max(120),
  category: z.string().min(2).max(40),
  price: z.number().positive().max(100_000),
  currency: z.enum(['EUR', 'USD', 'GBP']),
  features: z.array(z.string().min(1)).min(1).max(8),
  images: z
    .array(
      z.object({
        fileName: z.string().regex(/^[a-z0-9-]+\.(jpg|png|webp)$/),
        bytes: z.number().int().positive().max(20_000_000),
      }),
    )
    .min(1)
    .max(6),
});

/** A product to put on sale. */
export type ProductInput = z.infer<typeof productInputSchema>;

/** The product agent's hand-off to the marketing agent: the published listing. */
export const publishedProductSchema = z.object({
  sku: z.string().min(3),
  name: z.string().min(2),
  category: z.string().min(2),
  price: z.number().positive(),
  currency: z.enum(['EUR', 'USD', 'GBP']),
  features: z.array(z.string()).min(1),
  description: z.string().min(20),
  /** `llm`, or `template` when the model could not be used (a fallback). */
  descriptionSource: z.enum(['llm', 'template']),
  imageUrls: z.array(z.string().startsWith('catalog://')).min(1),
  listingId: z.string().min(1),
  listingUrl: z.string().startsWith('catalog://'),
});

/** The published listing. */
export type PublishedProduct = z.infer<typeof publishedProductSchema>;

/** A campaign draft as the model writes it (JSON). */
export const campaignDraftSchema = z.object({
  headline: z.string().min(5).max(120),
  body: z.string().min(20).max(1_000),
  channels: z.array(z.enum(['email', 'social', 'search'])).min(1),
  callToAction: z.string().min(2).max(40),
});

/** A campaign draft. */
export type CampaignDraft = z.infer<typeof campaignDraftSchema>;

/** The model's review of a draft (JSON). */
export const campaignReviewSchema = z.object({
  verdict: z.enum(['approve', 'revise']),
  notes: z.string(),
});

/** The model's review of a draft. */
export type CampaignReview = z.infer<typeof campaignReviewSchema>;

/** The workflow's output: the scheduled campaign for the published product. */
export const scheduledCampaignSchema = z.object({
  sku: z.string(),
  listingId: z.string(),
  listingUrl: z.string(),
  campaignId: z.string(),
  headline: z.string(),
  body: z.string(),
  channels: z.array(z.string()).min(1),
  sendAt: z.number(),
  /** `llm`, or `template` when the model could not be used or the review looped (a fallback). */
  source: z.enum(['llm', 'template']),
  /** Review rounds it took (0 for a template). */
  reviewRounds: z.number().int().min(0),
  descriptionSource: z.enum(['llm', 'template']),
});

/** The workflow's output. */
export type ScheduledCampaign = z.infer<typeof scheduledCampaignSchema>;
