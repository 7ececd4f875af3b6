import { CostCategory, CostLineItem, UnitPrices } from '../cost/cost';

/** Rounds a USD amount to cents. */
export function cents(usd: number): number {
  return Math.round(usd * 100) / 100;
}

/** Monthly price of something billed by the hour. */
export function hourlyToMonthly(hourlyUsd: number): number {
  return hourlyUsd * UnitPrices.HOURS_PER_MONTH;
}

/** Builds a line item; monthlyUsd = quantity x unit price, rounded to cents. */
export function lineItem(category: CostCategory, description: string, quantity: number, unitMonthlyUsd: number): CostLineItem {
  return { category, description, quantity, unitMonthlyUsd, monthlyUsd: cents(quantity * unitMonthlyUsd) };
}

/** Sum of the items' monthly cost, rounded to cents. */
export function totalMonthly(items: CostLineItem[]): number {
  return cents(items.reduce((sum, i) => sum + i.monthlyUsd, 0));
}

/** Rounds a USD amount to 6 decimals (a millionth of a dollar): a run's cost. */
export function round6(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
