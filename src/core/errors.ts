/**
 * An error the user can act on: printed without a stack trace by the CLI.
 * `where` names the file and line, the config key path, or the endpoint.
 */
export class UserError extends Error {
  constructor(message: string, readonly where?: string) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'UserError';
  }
}
