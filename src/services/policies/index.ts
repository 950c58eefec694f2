export { PolicyService, type PolicyView, type PolicyChanges, type ProbeStep, type PolicyServiceOptions } from './policy.service.js';
export { PolicyRegistry, type PolicyRegistryOptions } from './policy-registry.js';
export { FolderPolicies, type FolderPolicy } from './folder-policies.js';
export { PolicyMigration, POLICY_MIGRATE_JOB, type MigrationReport, type MigrationProgress } from './policy-migration.js';
export { PolicyNotFoundError, PolicyInUseError, PolicyNotAllowedError } from './policy.errors.js';
export { SECRET_SHOWN } from './policy-secrets.js';
