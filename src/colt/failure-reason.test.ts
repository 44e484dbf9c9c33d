import { describe, expect, it } from 'vitest';
import { coltFailureReason, eventFailure, findColtFailure } from './failure-reason.js';

describe('findColtFailure', () => {
  it('reads flat fields on the callback: code, reason, message', () => {
    const body = { orderId: 'X', orderStatus: 'Failed', code: 'E-4021', reason: 'Address validation failed', message: 'Emergency address…' };
    expect(findColtFailure(body)).toEqual({ code: 'E-4021', reason: 'Address validation failed', message: 'Emergency address…' });
  });

  it("reads TM Forum's errorMessage array on a nested productOrder", () => {
    const body = {
      eventId: '1',
      event: { productOrder: { id: 'X', state: 'failed', errorMessage: [{ code: 'E-4021', reason: 'Address validation failed', message: 'No such street' }] } },
    };
    expect(findColtFailure(body)).toEqual({ code: 'E-4021', reason: 'Address validation failed', message: 'No such street' });
  });

  it('reads errorMessage as text, failureReason and statusReason as text or objects', () => {
    expect(findColtFailure({ id: 'X', state: 'failed', errorMessage: 'No numbers left' })).toEqual({ message: 'No numbers left' });
    expect(findColtFailure({ orderId: 'X', failureReason: 'Porting window rejected', errorCode: 'E-7312' })).toEqual({
      code: 'E-7312',
      reason: 'Porting window rejected',
    });
    expect(findColtFailure({ orderId: 'X', orderStatus: 'Failed', failureReason: { code: 'E-4021', reason: 'Address validation failed' } })).toEqual({
      code: 'E-4021',
      reason: 'Address validation failed',
    });
    expect(findColtFailure({ orderId: 'X', statusReason: 'Rejected by the number authority' })).toEqual({ reason: 'Rejected by the number authority' });
  });

  it('reads error objects and errors[] lists; numeric codes become text', () => {
    expect(findColtFailure({ orderId: 'X', error: { code: 4021, message: 'Address validation failed' } })).toEqual({
      code: '4021',
      message: 'Address validation failed',
    });
    expect(findColtFailure({ orderId: 'X', errors: [{ code: 'E-1', message: 'first' }, { code: 'E-2', message: 'second' }] })).toEqual({
      code: 'E-1',
      message: 'first',
    });
  });

  it('fills parts the order object lacks from its own error records', () => {
    const body = { id: 'X', state: 'failed', statusReason: 'Rejected', errorMessage: [{ code: 'E-9', message: 'Range exhausted' }] };
    expect(findColtFailure(body)).toEqual({ code: 'E-9', reason: 'Rejected', message: 'Range exhausted' });
  });

  it("ignores a nested record's own code and bodies without error fields", () => {
    const body = { orderId: 'X', orderStatus: 'Failed', customer: { code: 'CUST-1', name: 'Acme' }, numberRanges: [{ status: 'Reserved' }] };
    expect(findColtFailure(body)).toBeNull();
    expect(findColtFailure({ orderId: 'X' })).toBeNull();
    expect(findColtFailure(null)).toBeNull();
    expect(findColtFailure('text')).toBeNull();
  });

  it('cuts a long part', () => {
    const found = findColtFailure({ orderId: 'X', reason: 'x'.repeat(1000) });
    expect(found!.reason).toHaveLength(400);
    expect(found!.reason!.endsWith('…')).toBe(true);
  });
});

describe('eventFailure', () => {
  const details = { orderId: 'X', orderStatus: 'Failed', errorMessage: [{ code: 'E-4021', reason: 'Address validation failed' }] };

  it('prefers the callback, else the order details', () => {
    const base = { type: null, source: 'callback' as const, status: 'failed' as const };
    expect(eventFailure({ ...base, payload: { orderId: 'X', reason: 'From callback' }, details })).toEqual({ reason: 'From callback', source: 'callback' });
    expect(eventFailure({ ...base, payload: { orderId: 'X', status: 'Failed' }, details })).toEqual({
      code: 'E-4021',
      reason: 'Address validation failed',
      source: 'order',
    });
    expect(eventFailure({ ...base, payload: { orderId: 'X', status: 'Failed' }, details: null })).toBeNull();
  });

  it('is set for failed and cancelled order events only', () => {
    const payload = { orderId: 'X', reason: 'why' };
    expect(eventFailure({ type: null, source: 'callback', status: 'cancelled', payload, details: null })).toEqual({ reason: 'why', source: 'callback' });
    expect(eventFailure({ type: null, source: 'callback', status: 'completed', payload, details: null })).toBeNull();
    expect(eventFailure({ type: 'order.overdue', source: 'reconciliation', status: 'failed', payload, details: null })).toBeNull();
    expect(eventFailure({ type: null, source: 'ticket', status: 'failed', payload, details: null })).toBeNull();
  });

  it("names the order as source for a reconciliation event (its body is GET /order's)", () => {
    expect(eventFailure({ type: null, source: 'reconciliation', status: 'failed', payload: details, details })).toMatchObject({ source: 'order', code: 'E-4021' });
  });
});

describe('coltFailureReason', () => {
  it('joins code, reason and message in one line', () => {
    const body = JSON.stringify({ orderId: 'X', orderStatus: 'Failed', code: 'E-4021', reason: 'Address validation failed', message: 'Emergency address…' });
    expect(coltFailureReason(body)).toBe('E-4021 · Address validation failed · Emergency address…');
    expect(coltFailureReason(JSON.stringify({ event: { productOrder: { id: 'X', state: 'failed', errorMessage: 'No numbers left' } } }))).toBe('No numbers left');
    expect(coltFailureReason('{"orderId":"X"}')).toBeNull();
    expect(coltFailureReason('not json')).toBeNull();
    expect(coltFailureReason(undefined)).toBeNull();
  });
});
