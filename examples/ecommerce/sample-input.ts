import type { Random } from '../../src/index.ts';
import type { ProductInput } from './schemas.ts';

const catalog = {
  Kitchen: {
    code: 'KIT',
    items: ['Kettle', 'Chef Knife', 'Pour-Over Set', 'Cast Iron Pan'],
    features: [
      'Brushed steel body',
      'Keeps heat for hours',
      'Dishwasher safe',
      'Lifetime warranty',
      'Ergonomic handle',
    ],
  },
  Outdoor: {
    code: 'OUT',
    items: ['Trail Pack', 'Camp Lantern', 'Rain Shell', 'Trekking Poles'],
    features: [
      'Weighs under 400 g',
      'Waterproof seams',
      'Recycled fabric',
      'Packs into its own pocket',
      'Reflective trim',
    ],
  },
  Audio: {
    code: 'AUD',
    items: ['Headphones', 'Bookshelf Speaker', 'Turntable', 'Earbuds'],
    features: [
      '30-hour battery',
      'Active noise cancelling',
      'Bluetooth 5.3',
      'Hand-tuned drivers',
      'USB-C charging',
    ],
  },
} as const;

const brands = ['Aurora', 'Summit', 'Harbor', 'Nimbus', 'Cedar', 'Lumen'] as const;
const currencies = ['EUR', 'USD', 'GBP'] as const;

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * A plausible product to submit, drawn from `random`: the same stream gives the same product.
 *
 * @example
 * ```ts
 * const input = sampleProductInput(createRandom('campaign-1').fork('run-7'));
 * ```
 */
export function sampleProductInput(random: Random): ProductInput {
  const category = random.pick(Object.keys(catalog) as (keyof typeof catalog)[]);
  const entry = catalog[category];
  const name = `${random.pick(brands)} ${random.pick(entry.items)}`;
  const pool = [...entry.features];
  const features: string[] = [];
  const count = random.int(2, 4);
  while (features.length < count) {
    features.push(pool.splice(random.int(0, pool.length - 1), 1)[0] ?? 'Well made');
  }
  const imageCount = random.int(1, 4);
  return {
    sku: `${entry.code}-${random.int(1000, 9999)}`,
    name,
    category,
    price: random.int(900, 49_900) / 100,
    currency: random.pick(currencies),
    features,
    images: Array.from({ length: imageCount }, (_, i) => ({
      fileName: `${slug(name)}-${i + 1}.jpg`,
      bytes: random.int(40_000, 900_000),
    })),
  };
}
