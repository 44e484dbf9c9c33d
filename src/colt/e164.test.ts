import { describe, expect, it } from 'vitest';
import { countryOfE164, splitToE164, toColtCountry, toE164 } from './numbers.js';

describe('split format → E.164 (docs/colt.md#what-colt-publishes)', () => {
  it("matches the seed's French example", () => {
    expect(splitToE164({ country: 'FR', areaCode: '3', areaCodeExtn: '8250', rangeStart: '1230', rangeEnd: '1239' })).toEqual({
      start: '+33382501230',
      end: '+33382501239',
      country: 'FR',
    });
  });

  it('drops the leading 0 of the area code by default', () => {
    expect(splitToE164({ country: 'GB', areaCode: '020', areaCodeExtn: '7946', rangeStart: '0000' }).start).toBe('+442079460000');
  });

  it('keeps the leading 0 for Italian Geo numbers', () => {
    expect(splitToE164({ country: 'IT', areaCode: '02', areaCodeExtn: '1234', rangeStart: '567', numberType: 'IN Geo' }).start).toBe(
      '+39021234567',
    );
  });

  it('keeps an Italian area code as written: non-geographic codes never start with 0', () => {
    expect(splitToE164({ country: 'IT', areaCode: '02', areaCodeExtn: '1234', rangeStart: '567', numberType: 'Freephone' }).start).toBe(
      '+39021234567',
    );
    expect(splitToE164({ country: 'IT', areaCode: '800', areaCodeExtn: '55', rangeStart: '1234' }).start).toBe('+39800551234');
  });

  it('strips the German trunk 0 and uses the extension when Colt sends one', () => {
    expect(splitToE164({ country: 'DE', areaCode: '030', rangeStart: '1234500' }).start).toBe('+49301234500');
    expect(splitToE164({ country: 'DE', areaCode: '030', areaCodeExtn: '999', rangeStart: '12345600', rangeEnd: '12345699' })).toEqual({
      start: '+4930999' + '12345600',
      end: '+4930999' + '12345699',
      country: 'DE',
    });
  });

  it('German numbers by the published rule: CC + area code without its trunk 0 (+ an extension only when sent)', () => {
    // Written with or without the trunk 0, the same number; an empty extension is no extension.
    expect(splitToE164({ country: 'DE', areaCode: '30', rangeStart: '1234500' }).start).toBe('+49301234500');
    expect(splitToE164({ country: 'DE', areaCode: '030', areaCodeExtn: '', rangeStart: '1234500' }).start).toBe('+49301234500');
    expect(splitToE164({ country: 'DE', areaCode: '0800', rangeStart: '5550010', numberType: 'Freephone' }).start).toBe('+498005550010');
    // Only the one trunk 0 goes: a code written 0030 is not shortened to 3.
    expect(splitToE164({ country: 'DE', areaCode: '0030', rangeStart: '1234500' }).start).toBe('+49030' + '1234500');
  });

  it('uses three-digit calling codes', () => {
    expect(splitToE164({ country: 'IE', areaCode: '01', areaCodeExtn: '555', rangeStart: '0100' }).start).toBe('+35315550100');
    expect(countryOfE164('+35315550100')).toBe('IE');
    expect(countryOfE164('+351210000000')).toBe('PT');
  });

  it('normalises loosely written numbers', () => {
    expect(toE164('0044 (20) 7946-0000')).toBe('+442079460000');
    expect(toE164('not a number')).toBeNull();
  });
});

describe('number types and countries in the split rules', () => {
  it('an Italian 0 stays whatever the type label says', () => {
    const split = { country: 'IT' as const, areaCode: '02', areaCodeExtn: '8765', rangeStart: '0000' };
    expect(splitToE164({ ...split, numberType: 'geo' }).start).toBe('+390287650000');
    expect(splitToE164({ ...split, numberType: 'National Rate' }).start).toBe('+390287650000');
  });

  it('accepts a country as alpha-2, alpha-3, English name or calling code', () => {
    for (const form of ['FR', 'fr', 'FRA', 'France', 'france', '33', '+33', '0033', ' +33 ']) expect(toColtCountry(form), form).toBe('FR');
    expect(toColtCountry(33)).toBe('FR');
    expect(toColtCountry('United Kingdom')).toBe('GB');
    expect(toColtCountry('DEU')).toBe('DE');
    expect(toColtCountry('353')).toBe('IE');
    expect(toColtCountry('+1')).toBeNull();
    expect(toColtCountry('USA')).toBeNull();
  });

  it('accepts UK for GB and refuses countries Colt does not serve', () => {
    expect(toColtCountry(' uk ')).toBe('GB');
    expect(toColtCountry('US')).toBeNull();
  });
});
