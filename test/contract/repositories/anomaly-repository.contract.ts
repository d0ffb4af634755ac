import { beforeEach, describe, expect, it } from 'vitest';
import type { Anomaly } from '../../../functions/src/domain/reconciliation.js';
import type { AnomalyRepository } from '../../../functions/src/ports/anomaly-repository.port.js';
import { at } from './fixtures.js';

export function anAnomaly(subject: string, overrides: Partial<Anomaly> = {}): Anomaly {
  return {
    id: `DOUBLE_CHARGE:${subject}`,
    kind: 'DOUBLE_CHARGE',
    subject,
    sessionId: subject,
    detail: '2 succeeded PaymentIntents',
    evidence: { intents: 'pi_1,pi_2', amountYen: 300, settled: false, note: null },
    ...overrides,
  };
}

const REVIEW = { operatorId: 'op_1', note: 'refunded pi_2 by hand', at: at(30) };

/** What every AnomalyRepository must do (run against the fake and DynamoDB Local). */
export function anomalyRepositoryContract(make: () => Promise<AnomalyRepository>): void {
  let repo: AnomalyRepository;
  beforeEach(async () => {
    repo = await make();
  });

  describe('record', () => {
    it('keeps a new anomaly with its evidence and when it was found', async () => {
      const a = anAnomaly('ses_1', { stationId: undefined });
      expect(await repo.record(a, at(1))).toBe(true);
      const { stationId: _, ...stored } = a;
      expect(await repo.get(a.id)).toEqual({ ...stored, foundAt: at(1) });
      expect(await repo.get('DOUBLE_CHARGE:ses_unknown')).toBeUndefined();
    });

    it('records the same id once (a re-run finds the same anomaly)', async () => {
      expect(await repo.record(anAnomaly('ses_1'), at(1))).toBe(true);
      expect(await repo.record(anAnomaly('ses_1', { detail: 'again' }), at(20))).toBe(false);
      expect(await repo.get('DOUBLE_CHARGE:ses_1')).toMatchObject({
        detail: '2 succeeded PaymentIntents',
        foundAt: at(1),
      });
    });

    it('lets exactly one of concurrent records of the same id win', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => repo.record(anAnomaly('ses_r'), at(2))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('list', () => {
    it('lists newest first, all or only open or only reviewed, up to the limit', async () => {
      await repo.record(anAnomaly('ses_1'), at(1));
      await repo.record(anAnomaly('ses_2'), at(2));
      await repo.record(anAnomaly('ses_3'), at(3));
      await repo.review('DOUBLE_CHARGE:ses_2', REVIEW);
      const ids = (list: { id: string }[]) => list.map((a) => a.id);
      expect(ids(await repo.list({ limit: 10 }))).toEqual([
        'DOUBLE_CHARGE:ses_3',
        'DOUBLE_CHARGE:ses_2',
        'DOUBLE_CHARGE:ses_1',
      ]);
      expect(ids(await repo.list({ open: true, limit: 10 }))).toEqual(['DOUBLE_CHARGE:ses_3', 'DOUBLE_CHARGE:ses_1']);
      expect(await repo.list({ open: false, limit: 10 })).toEqual([
        expect.objectContaining({ id: 'DOUBLE_CHARGE:ses_2', review: REVIEW }),
      ]);
      expect(ids(await repo.list({ limit: 2 }))).toEqual(['DOUBLE_CHARGE:ses_3', 'DOUBLE_CHARGE:ses_2']);
    });
  });

  describe('review', () => {
    it('marks an open anomaly reviewed once; the first review stands and a re-run does not reopen it', async () => {
      const a = anAnomaly('ses_1');
      await repo.record(a, at(1));
      expect(await repo.review(a.id, REVIEW)).toBe(true);
      expect(await repo.review(a.id, { ...REVIEW, note: 'second opinion' })).toBe(false);
      expect(await repo.record(a, at(40))).toBe(false);
      expect(await repo.get(a.id)).toMatchObject({ review: REVIEW, foundAt: at(1) });
      expect(await repo.list({ open: true, limit: 10 })).toEqual([]);
    });

    it('refuses to review an anomaly that does not exist (and does not create it)', async () => {
      expect(await repo.review('DOUBLE_CHARGE:ses_none', REVIEW)).toBe(false);
      expect(await repo.get('DOUBLE_CHARGE:ses_none')).toBeUndefined();
    });
  });
}
