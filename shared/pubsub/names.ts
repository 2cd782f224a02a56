/**
 * Pub/Sub resource names: a short id (`sales`) in a project, or a full path
 * (`projects/P/topics/T`, `projects/P/subscriptions/S`). One parser, so every
 * command accepts both forms and reports a bad name the same way.
 */
import { UsageError } from '../errors.ts';
import { quoteForMessage } from '../format.ts';

export type PubSubKind = 'topics' | 'subscriptions';

export interface PubSubName {
  project: string;
  kind: PubSubKind;
  id: string;
  /** `projects/P/topics/T` or `projects/P/subscriptions/S`. */
  path: string;
}

/** Pub/Sub's id rule: 3–255 characters from letters, digits and `-_.~+%`, starting with a letter, not `goog…`. */
const RESOURCE_ID = /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;
/** Project ids (`my-proj`, domain-scoped `example.com:my-proj`); the emulator accepts any, so only the shape is checked. */
const PROJECT_ID = /^([a-z0-9.-]+:)?[a-z][a-z0-9-]*$/;

const SINGULAR: Record<PubSubKind, string> = { topics: 'topic', subscriptions: 'subscription' };

/**
 * Parse `NAME` or `projects/P/<kind>/NAME`. A short name takes `project`; a full
 * path must agree with `project` when both are given.
 */
export function parsePubSubName(input: string, kind: PubSubKind, project?: string): PubSubName {
  const what = SINGULAR[kind];
  const full = /^projects\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(input);
  let resolvedProject: string | undefined;
  let id: string;
  if (full) {
    if (full[2] !== kind) {
      throw new UsageError(`${input} is not a ${what} name: expected projects/PROJECT/${kind}/NAME`, { object: input });
    }
    resolvedProject = full[1];
    id = full[3];
    if (project && project !== resolvedProject) {
      throw new UsageError(`${what} ${input} is in project ${resolvedProject}, but --project is ${project}`, {
        object: input,
      });
    }
  } else {
    if (input.includes('/')) {
      throw new UsageError(`invalid ${what} ${quoteForMessage(input)}: give a name or projects/PROJECT/${kind}/NAME`, {
        object: input,
      });
    }
    resolvedProject = project;
    id = input;
  }
  if (!resolvedProject) {
    throw new UsageError(
      `no project for ${what} ${quoteForMessage(input)}: pass --project, a full projects/PROJECT/${kind}/NAME, or set GOOGLE_CLOUD_PROJECT`,
      { object: input },
    );
  }
  if (!PROJECT_ID.test(resolvedProject)) {
    throw new UsageError(`invalid project id ${quoteForMessage(resolvedProject)}`, { object: input });
  }
  if (!RESOURCE_ID.test(id) || id.startsWith('goog')) {
    throw new UsageError(
      `invalid ${what} name ${quoteForMessage(id)}: 3-255 characters, letters, digits and - _ . ~ + %, starting with a letter, not "goog"`,
      { object: input },
    );
  }
  return { project: resolvedProject, kind, id, path: `projects/${resolvedProject}/${kind}/${id}` };
}

/** The project a command runs against: the flag, else the environment the Google clients read. */
export function defaultPubSubProject(flag?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return flag || env.PUBSUB_PROJECT_ID || env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT || undefined;
}
