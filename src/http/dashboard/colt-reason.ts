/** Colt's failure reason in one line (shared with the order-wait CLI and the ticket channel). */
export { coltFailureReason } from '../../colt/failure-reason.js';
