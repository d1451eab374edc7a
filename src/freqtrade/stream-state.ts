/**
 * Connection state of a bot's message websocket (shown by /bots and /readyz):
 * idle → connecting → open → closed → connecting → …; a refused token → unauthorized.
 */
export type StreamState = 'idle' | 'connecting' | 'open' | 'closed' | 'unauthorized';
