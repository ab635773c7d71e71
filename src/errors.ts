/**
 * An error the user can fix: bad input data, a bad flag, a bad model file. Its message is
 * meant to be shown as is (the CLI prints it without a stack trace; the page shows it).
 */
export class UserError extends Error {
  override name = 'UserError';
}
