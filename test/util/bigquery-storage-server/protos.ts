/**
 * The Storage Write API's own .proto files, as @google-cloud/bigquery-storage
 * ships them (google/api and google/rpc come from the google-gax it depends on):
 * one protobufjs Root gives the gRPC service definition (through proto-loader)
 * and the messages the server encodes itself (StorageError in error details).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
// Adds Type.fromDescriptor and the google.protobuf.DescriptorProto codec.
import descriptor from 'protobufjs/ext/descriptor/index.js';

const STORAGE_PROTO = 'google/cloud/bigquery/storage/v1/storage.proto';
export const V1 = 'google.cloud.bigquery.storage.v1';

/** How requests reach the handlers: camelCase fields, int64 as decimal strings, enums by name, oneof discriminators. */
const LOADER_OPTIONS: protoLoader.Options = { longs: String, enums: String, oneofs: true, defaults: false };

function includeDirs(): string[] {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('@google-cloud/bigquery-storage/package.json'));
  // google-gax does not export package.json; its entry point lives under build/.
  const gaxMain = createRequire(join(pkgDir, 'package.json')).resolve('google-gax');
  const gaxDir = gaxMain.slice(0, gaxMain.lastIndexOf(`${sep}build${sep}`));
  return [join(pkgDir, 'build', 'protos'), join(gaxDir, 'build', 'protos')];
}

export interface WriteApiProtos {
  service: grpc.ServiceDefinition;
  storageError: protobuf.Type;
}

let cached: WriteApiProtos | undefined;

export function writeApiProtos(): WriteApiProtos {
  if (cached) return cached;
  const dirs = includeDirs();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    for (const dir of dirs) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return target;
  };
  root.loadSync(STORAGE_PROTO, { keepCase: false });
  root.resolveAll();
  const definition = protoLoader.fromJSON(root.toJSON(), LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as Record<string, unknown>;
  const ctor = lookup(loaded, `${V1}.BigQueryWrite`) as { service: grpc.ServiceDefinition };
  cached = { service: ctor.service, storageError: root.lookupType(`${V1}.StorageError`) };
  return cached;
}

/**
 * A protobufjs Type for the writer's DescriptorProto (as proto-loader decoded it),
 * to decode its rows. A bare DescriptorProto has no syntax; BigQuery reads it as proto2.
 */
export function typeFromDescriptor(descriptorProto: unknown): protobuf.Type {
  const message = descriptor.DescriptorProto.fromObject(descriptorProto as Record<string, unknown>);
  type FromDescriptor = { fromDescriptor(d: unknown, edition: string): protobuf.Type };
  return (protobuf.Type as unknown as FromDescriptor).fromDescriptor(message, 'proto2');
}

function lookup(tree: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], tree);
}
