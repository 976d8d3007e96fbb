/**
 * The Prometheus family name of an OTel instrument, as the JS Prometheus exporter derives it:
 * characters Prometheus does not allow become `_`, and counters end in `_total`.
 */
export function prometheusFamilyName(instrument: string, counter: boolean): string {
  const name = instrument.replace(/[^a-zA-Z0-9_:]/g, '_');
  return counter && !name.endsWith('_total') ? `${name}_total` : name;
}
