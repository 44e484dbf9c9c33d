/** The release, sent as `user-agent: colt-relay/<version>` and shown by /healthz. */
export const VERSION = '0.1.0';
