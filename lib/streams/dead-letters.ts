import type { DynamoDBRecord } from 'aws-lambda';
import { db } from '../db/service.js';
import type { ItemChange, Projection } from './handler.js';
import type { StreamDeadLetterItem } from './dead-letters.entities.js';
import { decode } from './records.js';

/** The tenant of a record whose item has none (none should exist; kept apart, never dropped). */
export const unknownTenant = '_unknown';
/** The projection name of a record that failed as a whole (replay applies every projection). */
export const wholeRecord = '*';

export type StreamDeadLetter = StreamDeadLetterItem;

/** The public id of a dead letter: tenant and sequence number and projection, enough to find it. */
export function deadLetterIdOf(item: Pick<StreamDeadLetterItem, 'tenantId' | 'deadLetterId'>): string {
  return `${item.tenantId}/${item.deadLetterId}`;
}

function tenantOf(change: ItemChange): string {
  const tenantId = change.newImage?.tenantId ?? change.oldImage?.tenantId;
  return typeof tenantId === 'string' && tenantId ? tenantId : unknownTenant;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2000);
}

/**
 * Stores a record a projection could not apply. Written over any earlier dead letter of the same
 * record and projection, so a redelivery of a failing batch leaves one letter, not one per try.
 */
export async function writeDeadLetter(letter: {
  record: DynamoDBRecord;
  change?: ItemChange;
  projection: string;
  error: unknown;
  attempts: number;
  now?: Date;
}): Promise<void> {
  const change = letter.change ?? decode(letter.record);
  const sequenceNumber = change.sequenceNumber || letter.record.eventID || 'unknown';
  await db()
    .entities.streamDeadLetter.put({
      tenantId: tenantOf(change),
      deadLetterId: `${sequenceNumber}.${letter.projection}`,
      sequenceNumber,
      projection: letter.projection,
      ...(change.entity ? { entity: change.entity } : {}),
      ...(change.eventName ? { eventName: change.eventName } : {}),
      record: JSON.stringify(letter.record),
      error: messageOf(letter.error),
      attempts: letter.attempts,
      failedAt: (letter.now ?? new Date()).toISOString(),
      status: 'PENDING',
    })
    .go();
}

/** Lists dead letters, oldest first: one shop's, or every shop's; replayed ones only when asked. */
export async function listDeadLetters(args: { tenantId?: string; includeReplayed?: boolean } = {}): Promise<StreamDeadLetterItem[]> {
  const { data } = args.tenantId
    ? await db().entities.streamDeadLetter.query.byTenant({ tenantId: args.tenantId }).go({ pages: 'all' })
    : await db().entities.streamDeadLetter.query.allDeadLetters({}).go({ pages: 'all' });
  const letters = args.tenantId ? [...data].sort((a, b) => a.failedAt.localeCompare(b.failedAt)) : data;
  return args.includeReplayed ? letters : letters.filter((letter) => letter.status === 'PENDING');
}

/** Reads one dead letter by its public id (`<tenant>/<sequence>.<projection>`). */
export async function getDeadLetter(id: string): Promise<StreamDeadLetterItem | undefined> {
  const slash = id.indexOf('/');
  if (slash <= 0) return undefined;
  const key = { tenantId: id.slice(0, slash), deadLetterId: id.slice(slash + 1) };
  return (await db().entities.streamDeadLetter.get(key).go({ consistent: true })).data ?? undefined;
}

export type ReplayOutcome = { id: string; status: 'REPLAYED' | 'ALREADY_REPLAYED' | 'FAILED'; error?: string };

/**
 * Applies a dead letter again through the same projections (its own, or all of them for a whole
 * record). Projections are idempotent, so a replay of something half applied is safe. A success
 * marks the letter REPLAYED, and a replayed letter is not applied again; a failure keeps it
 * PENDING with the new error and one more attempt.
 */
export async function replayDeadLetter(letter: StreamDeadLetterItem, projections: Projection[], now = new Date()): Promise<ReplayOutcome> {
  const id = deadLetterIdOf(letter);
  if (letter.status === 'REPLAYED') return { id, status: 'ALREADY_REPLAYED' };
  const change = decode(JSON.parse(letter.record) as DynamoDBRecord);
  const chosen = projections.filter((p) => (letter.projection === wholeRecord || p.name === letter.projection) && p.accepts(change));
  const key = { tenantId: letter.tenantId, deadLetterId: letter.deadLetterId };
  try {
    if (letter.projection !== wholeRecord && chosen.length === 0) throw new Error(`No projection named ${letter.projection} accepts this record`);
    for (const projection of chosen) await projection.apply(change);
  } catch (error) {
    await db()
      .entities.streamDeadLetter.patch(key)
      .set({ error: messageOf(error), lastTriedAt: now.toISOString() })
      .add({ attempts: 1 })
      .go();
    return { id, status: 'FAILED', error: messageOf(error) };
  }
  await db().entities.streamDeadLetter.patch(key).set({ status: 'REPLAYED', replayedAt: now.toISOString() }).go();
  return { id, status: 'REPLAYED' };
}
