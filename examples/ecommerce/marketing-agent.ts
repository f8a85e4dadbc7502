import { createHash } from 'node:crypto';
import type { Agent } from '../../src/agents/index.ts';
import { ReviewLoopError } from './errors.ts';
import {
  draftRequest,
  draftAnswer,
  reviewAnswer,
  reviewRequest,
  reviseRequest,
  templateCampaign,
} from './prompts.ts';
import type { ResilienceKit } from './resilience-kit.ts';
import { scheduleResultSchema } from './tools.ts';
import {
  publishedProductSchema,
  scheduledCampaignSchema,
  type CampaignDraft,
  type PublishedProduct,
  type ScheduledCampaign,
} from './schemas.ts';

/** What the marketing agent checkpoints as it goes. */
interface MarketingProgress {
  readonly sku: string;
  readonly draft?: CampaignDraft;
  readonly source?: 'llm' | 'template';
  readonly rounds: number;
  readonly approved: boolean;
}

/** Without a loop guard the review still stops somewhere: an agent with no resilience. */
const hardCap = 25;

function digest(draft: CampaignDraft): string {
  return createHash('sha256').update(JSON.stringify(draft)).digest('hex').slice(0, 12);
}

/**
 * The marketing agent: drafts a campaign for the published product through the LLM (30%),
 * has the LLM review it and revises until approved (70%; the loop guard stops a review that
 * repeats itself), and schedules it through a tool (100%, an idempotent side effect). Falls
 * back to a template campaign when the model cannot be used (with resilience).
 */
export function createMarketingAgent(
  kit: ResilienceKit,
): Agent<PublishedProduct, ScheduledCampaign> {
  return {
    name: 'marketing',
    input: publishedProductSchema,
    output: scheduledCampaignSchema,
    async process(message, context) {
      const product = message.payload;
      const saved = await context.checkpoint.load<MarketingProgress>();
      let state: MarketingProgress =
        saved?.state.sku === product.sku
          ? saved.state
          : { sku: product.sku, rounds: 0, approved: false };

      if (state.draft === undefined) {
        const { value, fellBack } = await kit.generateOr(
          'marketing',
          draftRequest(product),
          context,
          draftAnswer,
          () => templateCampaign(product),
        );
        state = {
          ...state,
          draft: value,
          source: fellBack ? 'template' : 'llm',
          approved: fellBack,
        };
        await context.checkpoint.save(state);
      }
      await context.progress(0.3);

      if (!state.approved) {
        const reviewed = await kit.orElse(
          'marketing:review',
          context,
          async () => {
            let current = state;
            for (;;) {
              if (kit.loopGuard === undefined && current.rounds >= hardCap) {
                throw new ReviewLoopError(
                  `campaign review did not converge after ${hardCap} rounds`,
                );
              }
              const draft = current.draft ?? templateCampaign(product);
              const ask = () =>
                kit.generate('marketing', reviewRequest(product, draft), context, reviewAnswer);
              const review = await (kit.loopGuard === undefined
                ? ask()
                : kit.loopGuard.run(`review:${product.sku}:${digest(draft)}`, ask));
              current = { ...current, rounds: current.rounds + 1 };
              if (review.verdict === 'approve') return { ...current, approved: true };
              const revised = await kit.generate(
                'marketing',
                reviseRequest(product, draft, review.notes),
                context,
                draftAnswer,
              );
              current = { ...current, draft: revised };
              await context.checkpoint.save(current);
            }
          },
          (): MarketingProgress => ({
            ...state,
            draft: templateCampaign(product),
            source: 'template',
            approved: true,
          }),
        );
        state = reviewed.value;
        await context.checkpoint.save(state);
      }
      await context.progress(0.7);

      const draft = state.draft ?? templateCampaign(product);
      const scheduled = await context.sideEffect(`schedule:${product.sku}`, (key) =>
        kit.tool(
          'marketing',
          'schedule-campaign',
          context,
          (signal) =>
            kit.tools.scheduleCampaign(
              { sku: product.sku, listingId: product.listingId, ...draft },
              key,
              signal,
            ),
          scheduleResultSchema,
        ),
      );
      await context.progress(1);

      return context.message(
        'campaign.scheduled',
        {
          sku: product.sku,
          listingId: product.listingId,
          listingUrl: product.listingUrl,
          campaignId: scheduled.campaignId,
          headline: draft.headline,
          body: draft.body,
          channels: [...draft.channels],
          sendAt: scheduled.sendAt,
          source: state.source ?? 'llm',
          reviewRounds: state.source === 'template' ? 0 : state.rounds,
          descriptionSource: product.descriptionSource,
        },
        { to: 'caller', correlationId: message.id },
      );
    },
  };
}
