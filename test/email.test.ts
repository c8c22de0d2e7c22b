import { describe, expect, it } from 'vitest';
import { isValidEmail, normaliseEmail } from '../src/model/email.js';

describe('email validity (RULES.md S-02)', () => {
  it.each([
    'first+tag@example.com',
    'a.b@sub.example.co.uk',
    "o'neil@example.com",
    'x@a-b.io',
    `${'a'.repeat(64)}@example.com`,
  ])('accepts %s', (address) => expect(isValidEmail(address)).toBe(true));

  it.each([
    '',
    'user@atl',
    'user@',
    'user1@user1',
    'a..b@example.com',
    '.a@example.com',
    'a.@example.com',
    'a@b@example.com',
    `${'a'.repeat(65)}@example.com`,
    'a@-example.com',
    'a@example.c0m',
    'a@example.c',
    'a b@example.com',
    `a@${'b'.repeat(64)}.com`,
    `${'a'.repeat(60)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`,
  ])('rejects %j', (address) => expect(isValidEmail(address)).toBe(false));

  it('trims, lower-cases and notes padding (S-01)', () => {
    expect(normaliseEmail('  Bob@Example.COM ')).toEqual({
      normalised: 'bob@example.com',
      hadWhitespace: true,
      valid: true,
      domain: 'example.com',
    });
    expect(normaliseEmail(undefined)).toMatchObject({ normalised: '', valid: false, hadWhitespace: false });
  });
});
