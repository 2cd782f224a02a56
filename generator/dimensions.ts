/**
 * Dimension tables for --dimensions: customers.csv and products.csv next to the
 * fact file. Names, cities, e-mail domains and product names come from
 * @faker-js/faker, seeded; faker is slow per call (~0.1 ms), so it fills small
 * pools once and the seeded fast PRNG combines them per customer. Every
 * customer_id of the facts (1…customers) has a row, with the same home region
 * the facts use.
 */
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { homeRegionOf } from './customers.ts';
import { amountAtQuantile, buildSalesModel } from './model.ts';
import type { ResolvedGenOptions } from './options.ts';
import { formatCents } from '../shared/money.ts';
import { namedStream } from './prng.ts';
import { csvField } from '../shared/format.ts';
import { CUSTOMERS_SCHEMA, PRODUCTS_SCHEMA } from '../shared/schema/dimensions.ts';

// The layouts `salesflow pipeline dims` loads, from the schema module.
export const CUSTOMERS_HEADER = CUSTOMERS_SCHEMA.header;
export const PRODUCTS_HEADER = PRODUCTS_SCHEMA.header;
export const PRODUCTS_PER_CATEGORY = 25;
const POOL_SIZE = 1000;

export interface DimensionFiles {
  customers: string;
  products: string;
}

/** customers.csv and products.csv in the fact file's folder. */
export function dimensionPaths(out: string): DimensionFiles {
  const dir = dirname(out);
  return { customers: join(dir, 'customers.csv'), products: join(dir, 'products.csv') };
}

export async function writeDimensions(
  o: ResolvedGenOptions,
  customersPath: string,
  productsPath: string,
): Promise<{ customerRows: number; productRows: number }> {
  const model = buildSalesModel(o);
  // Loaded on demand: faker's module graph costs ~40 MB of RSS that plain `gen` never needs.
  const { base, en, Faker } = await import('@faker-js/faker');
  const faker = new Faker({ locale: [en, base], seed: o.seed });
  const pool = (make: () => string) => Array.from({ length: POOL_SIZE }, make);
  const firstNames = pool(() => faker.person.firstName());
  const lastNames = pool(() => faker.person.lastName());
  const cities = pool(() => faker.location.city());
  const domains = Array.from({ length: 50 }, () => faker.internet.domainName());
  const rng = namedStream(o.seed, 'dimensions');
  const pick = (xs: readonly string[]) => xs[rng.below(xs.length)];

  const customers = await open(customersPath, 'wx');
  try {
    let chunk = `${CUSTOMERS_HEADER}\n`;
    for (let id = 1; id <= o.customers; id++) {
      const first = pick(firstNames);
      const last = pick(lastNames);
      const email = `${emailPart(first)}.${emailPart(last)}${id}@${pick(domains)}`;
      const region = o.domains.regions[homeRegionOf(model.customers, model.regions, id)];
      chunk += `${id},${csvField(`${first} ${last}`)},${email},${csvField(pick(cities))},${csvField(region)}\n`;
      if (chunk.length > 1 << 20) {
        await customers.write(chunk);
        chunk = '';
      }
    }
    await customers.write(chunk);
  } finally {
    await customers.close();
  }

  const products = await open(productsPath, 'wx');
  try {
    let text = `${PRODUCTS_HEADER}\n`;
    let id = 0;
    o.domains.categories.forEach((category, c) => {
      for (let i = 0; i < PRODUCTS_PER_CATEGORY; i++) {
        id++;
        const u = model.amountLo[c] + rng.unit() * model.amountSpan[c];
        const cents = Math.round(amountAtQuantile(model.amountMu[c], model.amountSigma, u));
        const price = formatCents(cents);
        text += `P${String(id).padStart(5, '0')},${csvField(faker.commerce.productName())},${csvField(category)},${price}\n`;
      }
    });
    await products.write(text);
  } finally {
    await products.close();
  }
  return { customerRows: o.customers, productRows: o.domains.categories.length * PRODUCTS_PER_CATEGORY };
}

/** Lower-case ASCII letters only, for the local part of an e-mail address. */
function emailPart(name: string): string {
  return (
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z]/g, '') || 'customer'
  );
}
