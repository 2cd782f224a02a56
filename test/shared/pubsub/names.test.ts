import { describe, expect, it } from 'vitest';
import { defaultPubSubProject, parsePubSubName } from '../../../shared/pubsub/index.ts';

describe('parsePubSubName', () => {
  it('takes a short name with a project, or a full path', () => {
    expect(parsePubSubName('sales', 'topics', 'my-proj').path).toBe('projects/my-proj/topics/sales');
    expect(parsePubSubName('projects/p-1/subscriptions/sales-sub', 'subscriptions')).toEqual({
      project: 'p-1',
      kind: 'subscriptions',
      id: 'sales-sub',
      path: 'projects/p-1/subscriptions/sales-sub',
    });
  });

  it.each([
    ['sales', undefined, /no project for topic "sales"/],
    ['projects/p/subscriptions/s1x', 'p', /not a topic name/],
    ['projects/a/topics/sales', 'b', /in project a, but --project is b/],
    ['ab', 'p', /invalid topic name "ab"/],
    ['goog-sales', 'p', /not "goog"/],
    ['1sales', 'p', /starting with a letter/],
    ['a/b', 'p', /give a name or projects\/PROJECT\/topics\/NAME/],
    ['projects/Bad_Proj/topics/sales', undefined, /invalid project id "Bad_Proj"/],
  ])('%s (project %s) is refused', (input, project, message) => {
    expect(() => parsePubSubName(input, 'topics', project)).toThrow(message);
  });

  it('finds the project in the flag, then the environment', () => {
    expect(defaultPubSubProject('flag', { GOOGLE_CLOUD_PROJECT: 'env' })).toBe('flag');
    expect(defaultPubSubProject(undefined, { PUBSUB_PROJECT_ID: 'emu', GOOGLE_CLOUD_PROJECT: 'env' })).toBe('emu');
    expect(defaultPubSubProject(undefined, {})).toBeUndefined();
  });
});
