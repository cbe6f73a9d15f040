import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adjust,
  balance,
  balanceFromLedger,
  earn,
  expire,
  LedgerReason,
  pruneLots,
  redeem,
  reverse,
  type ExpiryPolicy,
  type LotSource,
} from '../../../lib/loyalty/ledger.js';
import { InsufficientPointsError } from '../../../lib/loyalty/loyalty.errors.js';
import { addDays } from '../../../lib/loyalty/time.js';
import { LedgerRun, T0 } from './loyalty.fixtures.js';

type Command =
  | { kind: 'earnOrder'; points: number; pendingDays: number; eligibleAmount: number }
  | { kind: 'earnAction'; points: number }
  | { kind: 'redeem'; points: number }
  | { kind: 'refund'; pick: number; percent: number; full: boolean }
  | { kind: 'adjust'; points: number }
  | { kind: 'expire' }
  | { kind: 'prune' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('earnOrder'), points: fc.integer({ min: 1, max: 500 }), pendingDays: fc.integer({ min: 0, max: 30 }), eligibleAmount: fc.integer({ min: 1, max: 100_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('earnAction'), points: fc.integer({ min: 1, max: 200 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('redeem'), points: fc.integer({ min: 1, max: 800 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('refund'), pick: fc.nat(), percent: fc.integer({ min: 1, max: 70 }), full: fc.integer({ min: 0, max: 3 }).map((n) => n === 0) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('adjust'), points: fc.integer({ min: -300, max: 300 }).filter((n) => n !== 0) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('prune') }) },
);

const policy: fc.Arbitrary<ExpiryPolicy> = fc.oneof(
  fc.constant<ExpiryPolicy>({ type: 'NEVER' }),
  fc.integer({ min: 1, max: 60 }).map((days): ExpiryPolicy => ({ type: 'AFTER_DAYS', days })),
  fc.integer({ min: 1, max: 60 }).map((days): ExpiryPolicy => ({ type: 'INACTIVITY', days })),
);

// Up to 20 days between steps, often none, so same-instant operations are exercised too.
const step = fc.record({ command, advanceMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 * 24 * 60 })) });

interface OrderModel {
  source: LotSource;
  earned: number;
  eligibleAmount: number;
  refunded: number;
}

describe('ledger (property)', () => {
  it('keeps the materialised balance equal to the ledger and never negative through random histories', () => {
    fc.assert(
      fc.property(fc.boolean(), policy, fc.array(step, { maxLength: 60, size: 'max' }), (allowNegative, expiry, steps) => {
        const run = new LedgerRun();
        const orders: OrderModel[] = [];
        let now = T0;
        let serial = 0;
        let checked = 0;
        let ledgerPoints = 0;
        let justFullyRefunded: OrderModel | undefined;

        for (const { command, advanceMinutes } of steps) {
          now = new Date(Date.parse(now) + advanceMinutes * 60_000).toISOString();
          const at = now;
          serial += 1;
          switch (command.kind) {
            case 'earnOrder': {
              const source: LotSource = { type: 'ORDER', id: `o${serial}` };
              run.apply((s) => earn(s, { points: command.points, source, at, pendingDays: command.pendingDays, expiry, eligibleAmount: command.eligibleAmount }));
              orders.push({ source, earned: command.points, eligibleAmount: command.eligibleAmount, refunded: 0 });
              break;
            }
            case 'earnAction':
              run.apply((s) => earn(s, { points: command.points, source: { type: 'ACTION', id: `a${serial}` }, at, pendingDays: 0, expiry }));
              break;
            case 'redeem': {
              const before = balance(run.state, at).available;
              try {
                run.apply((s) => redeem(s, { points: command.points, at, source: { type: 'REWARD', id: `r${serial}` } }));
                expect(command.points).toBeLessThanOrEqual(before);
              } catch (error) {
                expect(error).toBeInstanceOf(InsufficientPointsError);
                expect(command.points).toBeGreaterThan(before);
                expect((error as InsufficientPointsError).available).toBe(before);
              }
              break;
            }
            case 'refund': {
              const open = orders.filter((o) => o.refunded < o.eligibleAmount);
              const order = open[command.pick % Math.max(1, open.length)];
              if (!order) break;
              const rest = order.eligibleAmount - order.refunded;
              const amount = command.full ? rest : Math.max(1, Math.floor((rest * command.percent) / 100));
              run.apply((s) => reverse(s, { source: order.source, at, allowNegative, refund: { amount, eligibleAmount: order.eligibleAmount } }));
              order.refunded += amount;
              if (order.refunded === order.eligibleAmount) justFullyRefunded = order;
              break;
            }
            case 'adjust': {
              const b = balance(run.state, at);
              try {
                run.apply((s) => adjust(s, { points: command.points, reason: 'support', at, id: `adj${serial}`, allowNegative, expiry }));
              } catch (error) {
                expect(error).toBeInstanceOf(InsufficientPointsError);
                expect(allowNegative).toBe(false);
                expect(-command.points).toBeGreaterThan(b.available + b.pending);
              }
              break;
            }
            case 'expire': {
              run.apply((s) => expire(s, { at, policy: expiry }));
              const again = expire(run.state, { at, policy: expiry });
              expect(again.entries).toEqual([]);
              expect(again.state).toBe(run.state);
              break;
            }
            case 'prune':
              // Reversible for longer than any history here, so refunds always find their lot.
              run.state = pruneLots(run.state, { at, reversibleForDays: 10_000 });
              break;
          }

          const { state, entries } = run;
          for (const when of [at, addDays(at, 7), addDays(at, 45)]) {
            expect(balance(state, when)).toEqual(balanceFromLedger(entries, when));
          }
          const current = balance(state, at);
          expect(current.pending).toBeGreaterThanOrEqual(0);
          expect(current.shortfall).toBeGreaterThanOrEqual(0);
          if (!allowNegative) {
            expect(current.available).toBeGreaterThanOrEqual(0);
            expect(state.overdrawn).toBe(0);
          }
          expect(state.lots.filter((l) => l.remaining < 0 || l.remaining > l.points || l.reversed > l.points)).toEqual([]);

          const fresh = entries.slice(checked);
          checked = entries.length;
          expect(fresh.filter((e) => e.points !== e.lots.reduce((sum, c) => sum + c.points, 0) - e.overdrawn)).toEqual([]);
          ledgerPoints += fresh.reduce((sum, e) => sum + e.points, 0);
          expect(ledgerPoints).toBe(state.lots.reduce((sum, l) => sum + l.remaining, 0) - state.overdrawn);

          // Debt is only recorded when nothing could cover it, and new points repay it first.
          if (state.shortfall + state.overdrawn > 0) {
            expect(state.lots.filter((l) => l.remaining > 0 && (l.expiresAt === null || l.expiresAt > at))).toEqual([]);
          }

          if (justFullyRefunded) {
            const order = justFullyRefunded;
            const clawbacks = entries.filter(
              (e) => e.type === 'REVERSE' && e.reason === LedgerReason.REFUND && e.source.id === order.source.id,
            );
            // Taken from lots, plus what became shortfall or a negative balance: exactly the earn.
            expect(clawbacks.reduce((sum, e) => sum - e.points + e.shortfall, 0)).toBe(order.earned);
            expect(state.lots.find((l) => l.lotId === `ORDER#${order.source.id}`)?.reversed).toBe(order.earned);
            justFullyRefunded = undefined;
          }
        }
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});
