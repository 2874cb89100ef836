/** Every queue the service runs. One queue per external system or workflow keeps a slow system from starving others. */
export const QUEUE_NAMES = ['agenda', 'after-meeting', 'edoc', 'medcom', 'nexus', 'children', 'maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];
