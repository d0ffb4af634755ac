/**
 * The meter firehose in the cloud: topic rule → SQS → this function in batches. Same parsing, same
 * sink as station-events (its SQS path reports per-record failures for partial batch retries).
 */
export { handler, makeHandler } from './station-events.js';
