/**
 * Cells of the CSV files usermig writes for people to open: a value that a spreadsheet would run as a
 * formula (it starts with =, +, -, @, a tab or a carriage return; OWASP "CSV injection") is written with a
 * leading apostrophe, which spreadsheets show as text. Source data such as display names is not trusted.
 * The users CSV that `users import` reads back is not written through this (it must round-trip exactly).
 */
import type { Options } from 'csv-stringify/sync';

export const FORMULA_SAFE: Options['cast'] = {
  string: (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value),
};
