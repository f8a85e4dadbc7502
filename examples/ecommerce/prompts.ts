import type { GenerateRequest } from './llm.ts';
import { ModelOutputError } from './errors.ts';
import {
  campaignDraftSchema,
  campaignReviewSchema,
  type CampaignDraft,
  type CampaignReview,
  type ProductInput,
  type PublishedProduct,
} from './schemas.ts';

const price = (p: { readonly price: number; readonly currency: string }): string =>
  `${p.price.toFixed(2)} ${p.currency}`;

/** Asks for a product description. */
export function describeRequest(product: ProductInput): GenerateRequest {
  return {
    task: 'describe-product',
    prompt:
      `Write a two-sentence product description for an online shop.\n` +
      `Product: ${product.name}\nCategory: ${product.category}\nFeatures: ${product.features.join('; ')}\n` +
      `Tone: warm, concrete, no superlatives.`,
    facts: { name: product.name, category: product.category, features: product.features },
  };
}

/** Asks for a campaign draft as JSON. */
export function draftRequest(product: PublishedProduct): GenerateRequest {
  return {
    task: 'draft-campaign',
    prompt:
      `Draft a launch campaign as JSON {headline, body, channels, callToAction}.\n` +
      `Product: ${product.name} (${price(product)})\nDescription: ${product.description}`,
    facts: { name: product.name, description: product.description, price: price(product) },
  };
}

/** Asks for a review of a draft as JSON. */
export function reviewRequest(product: PublishedProduct, draft: CampaignDraft): GenerateRequest {
  return {
    task: 'review-campaign',
    prompt:
      `Review this campaign for ${product.name}; answer JSON {verdict: "approve"|"revise", notes}.\n` +
      JSON.stringify(draft),
    facts: { name: product.name, draft },
  };
}

/** Asks for a revised draft as JSON. */
export function reviseRequest(
  product: PublishedProduct,
  draft: CampaignDraft,
  notes: string,
): GenerateRequest {
  return {
    task: 'revise-campaign',
    prompt: `Revise this campaign following the notes "${notes}". Answer JSON as before.\n${JSON.stringify(draft)}`,
    facts: { name: product.name, description: product.description, price: price(product), notes },
  };
}

/**
 * How a task's answer is read: `parse` turns the model's text into a value, `check` validates a
 * value (again, after any fault has had its way with it in transit). Both throw a
 * {@link ModelOutputError} on a bad answer, which counts as a failed attempt.
 */
export interface Answer<T> {
  readonly parse: (text: string) => T;
  readonly check: (value: unknown) => T;
}

function checkDescription(value: unknown): string {
  if (typeof value !== 'string') {
    throw new ModelOutputError(`the model's description is not text (${typeof value})`);
  }
  const description = value.trim();
  if (description.length < 20) {
    throw new ModelOutputError(`description too short (${description.length} characters)`);
  }
  return description;
}

function jsonAnswer<T>(what: string, schema: { parse: (value: unknown) => T }): Answer<T> {
  const check = (value: unknown): T => {
    try {
      return schema.parse(value);
    } catch (error) {
      const detail = error instanceof Error ? error.message.slice(0, 200) : String(error);
      throw new ModelOutputError(`the model's ${what} has the wrong shape: ${detail}`);
    }
  };
  return {
    parse: (text) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new ModelOutputError(`the model's ${what} is not JSON: ${text.slice(0, 60)}`);
      }
      return check(value);
    },
    check,
  };
}

/** A product description: text of 20 characters or more. */
export const descriptionAnswer: Answer<string> = {
  parse: checkDescription,
  check: checkDescription,
};

/** A campaign draft (JSON). */
export const draftAnswer: Answer<CampaignDraft> = jsonAnswer('campaign draft', campaignDraftSchema);

/** A review (JSON). */
export const reviewAnswer: Answer<CampaignReview> = jsonAnswer('review', campaignReviewSchema);

/** The description used when the model cannot be (a fallback). */
export function templateDescription(product: ProductInput): string {
  return `${product.name}: ${product.features.join(', ')}. A dependable ${product.category.toLowerCase()} choice at ${price(product)}.`;
}

/** The campaign used when the model cannot be, or its review loops (a fallback). */
export function templateCampaign(product: PublishedProduct): CampaignDraft {
  return {
    headline: `New: ${product.name}`,
    body: `${product.name} is now in our ${product.category.toLowerCase()} range for ${price(product)}. ${product.features[0] ?? ''}`.trim(),
    channels: ['email'],
    callToAction: 'Shop now',
  };
}
