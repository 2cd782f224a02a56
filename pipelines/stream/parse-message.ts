/**
 * One Pub/Sub message → a valid sale event or a reject (poison), judged by the
 * JSON record codec every JSON path shares (shared/schema/json-record.ts): a
 * message and an NDJSON line with the same bytes get the same verdict.
 */
import { judgeJsonRecord, type RecordValidator } from '../../shared/schema/index.ts';
import type { StreamEvent, StreamReject } from '../../warehouse/stream.ts';
import type { PubSubMessageValue } from '../io/pubsub-source.ts';

export type ParsedMessage = { valid: true; event: StreamEvent } | { valid: false; reject: StreamReject };

/** `eventTime`: what the source took as the message's event time (its timestamp attribute, else publish time). */
export function parseMessage(m: PubSubMessageValue, eventTime: number, validator: RecordValidator): ParsedMessage {
  const verdict = judgeJsonRecord(m.data, validator);
  if (verdict.ok) {
    return {
      valid: true,
      event: { messageId: m.id, publishTime: m.publishTime, eventTime, record: verdict.record },
    };
  }
  const text = verdict.text;
  return {
    valid: false,
    reject: {
      messageId: m.id,
      publishTime: m.publishTime,
      // The bytes as they came: text when it is UTF-8, else base64 (marked), never a lossy decode.
      payload: text ?? m.data.toString('base64'),
      payloadEncoding: text === undefined ? 'base64' : undefined,
      attributes: m.attributes,
      reasons: verdict.reason,
    },
  };
}
