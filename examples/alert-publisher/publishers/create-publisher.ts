/** The publisher for a target's kind. */
import type { TargetConfig } from '../pipeline/target-config.js';
import { PagerDutyPublisher } from './pagerduty.js';
import type { Publisher, PublisherContext } from './publisher.js';
import { RootlyPublisher } from './rootly.js';
import { SlackPublisher } from './slack.js';
import { WebhookPublisher } from './webhook.js';

export function createPublisher(target: TargetConfig, context: PublisherContext): Publisher {
  switch (target.type) {
    case 'slack':
      return new SlackPublisher(target, context);
    case 'rootly':
      return new RootlyPublisher(target, context);
    case 'pagerduty':
      return new PagerDutyPublisher(target, context);
    case 'webhook':
      return new WebhookPublisher(target, context);
  }
}
