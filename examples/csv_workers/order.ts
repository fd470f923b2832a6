/**
 * The work of one CSV row in the demo: check an order and price it in
 * euros with VAT. Pure and synchronous; the simulated I/O is elsewhere.
 *
 * @module
 */

/** A row of `orders.csv` as the CSV parser gives it. */
export type OrderRow = Readonly<Record<string, string>>;

/** An order that passed its checks. */
export interface Order {
  /** The order id, as written in the file. */
  readonly id: string;
  /** Who ordered. */
  readonly customer: string;
  /** ISO country code; decides the VAT rate. */
  readonly country: string;
  /** The net amount in `currency`. */
  readonly amount: number;
  /** ISO currency code of `amount`. */
  readonly currency: string;
}

/** An order with its computed gross total. */
export interface PricedOrder extends Order {
  /** Amount converted to euros, VAT added, rounded to cents. */
  readonly totalEur: number;
}

// Fixed, illustrative rates: the demo must give the same totals every run.
const EUR_PER_UNIT: Readonly<Record<string, number>> = {
  EUR: 1,
  USD: 0.92,
  GBP: 1.17,
  CHF: 1.05,
  SEK: 0.087,
};

const VAT_RATE: Readonly<Record<string, number>> = {
  DE: 0.19,
  FR: 0.2,
  NL: 0.21,
  SE: 0.25,
  GB: 0.2,
  US: 0,
  CH: 0.081,
};

/**
 * A row that cannot become an order. Retrying will not help, so the demo's
 * retry policy skips it.
 */
export class InvalidOrderError extends Error {
  /** The column at fault. */
  readonly field: string;
  /** Its value as written. */
  readonly value: string;

  /**
   * Creates the error of a bad field.
   *
   * @param field The column at fault.
   * @param value Its value as written.
   * @param message What is wrong and what to do.
   */
  constructor(field: string, value: string, message: string) {
    super(message);
    this.name = "InvalidOrderError";
    this.field = field;
    this.value = value;
  }
}

function field(row: OrderRow, name: string): string {
  return (row[name] ?? "").trim();
}

function choices(table: Readonly<Record<string, number>>): string {
  return Object.keys(table).join(", ");
}

/**
 * Checks a row and turns it into an {@linkcode Order}.
 *
 * @param row The parsed CSV row.
 * @returns The order.
 * @throws {InvalidOrderError} If a field is missing or out of range.
 */
export function parseOrder(row: OrderRow): Order {
  const id = field(row, "id");
  if (id === "") throw new InvalidOrderError("id", id, "Order id is empty");
  const customer = field(row, "customer");
  if (customer === "") {
    throw new InvalidOrderError(
      "customer",
      customer,
      `Order ${id} has no customer: fill in the customer column`,
    );
  }
  const country = field(row, "country");
  if (!(country in VAT_RATE)) {
    throw new InvalidOrderError(
      "country",
      country,
      `Unknown country "${country}": use one of ${choices(VAT_RATE)}`,
    );
  }
  const currency = field(row, "currency");
  if (!(currency in EUR_PER_UNIT)) {
    throw new InvalidOrderError(
      "currency",
      currency,
      `Unknown currency "${currency}": use one of ${choices(EUR_PER_UNIT)}`,
    );
  }
  const text = field(row, "amount");
  // Number("") is 0 and Number("1e3") is 1000: accept plain decimals only.
  const amount = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(amount)) {
    throw new InvalidOrderError(
      "amount",
      text,
      `Cannot parse amount "${text}" as a number: use digits and a decimal point`,
    );
  }
  if (amount < 0) {
    throw new InvalidOrderError(
      "amount",
      text,
      `Amount "${text}" is negative: refunds go through the refunds file`,
    );
  }
  return { id, customer, country, amount, currency };
}

/**
 * Prices a checked order: converts it to euros and adds VAT.
 *
 * @param order The order.
 * @returns The order with `totalEur`.
 */
export function priceOrder(order: Order): PricedOrder {
  const rate = EUR_PER_UNIT[order.currency] ?? NaN;
  const vat = VAT_RATE[order.country] ?? NaN;
  const totalEur = Math.round(order.amount * rate * (1 + vat) * 100) / 100;
  return { ...order, totalEur };
}
