/** Snapshot families are named by the one naming rule the Prometheus serializer uses too. */
export { prometheusFamilyName } from '../metric-names.js';
