CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_role_check" CHECK ("api_tokens"."role" in ('admin', 'deployer', 'viewer'))
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"status" integer NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deployments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"stack_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"operation" text NOT NULL,
	"version" integer,
	"status" text DEFAULT 'pending' NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"error" text,
	"host_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"containers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"workflow_id" text NOT NULL,
	"run_id" text,
	"requested_by" text NOT NULL,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "deployments_status_check" CHECK ("deployments"."status" in ('pending', 'running', 'succeeded', 'failed', 'rolled_back', 'cancelled')),
	CONSTRAINT "deployments_progress_check" CHECK ("deployments"."progress" between 0 and 100)
);
--> statement-breakpoint
CREATE TABLE "hosts" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "placements" (
	"stack_id" uuid NOT NULL,
	"host_id" text NOT NULL,
	"name" text NOT NULL,
	"service" text NOT NULL,
	"replica" integer NOT NULL,
	"container_id" text NOT NULL,
	"image" text NOT NULL,
	"state" text NOT NULL,
	"deployment_id" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "placements_stack_id_host_id_name_pk" PRIMARY KEY("stack_id","host_id","name")
);
--> statement-breakpoint
CREATE TABLE "stack_versions" (
	"stack_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"source" text NOT NULL,
	"format" text NOT NULL,
	"spec" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stack_versions_stack_id_version_pk" PRIMARY KEY("stack_id","version"),
	CONSTRAINT "stack_versions_format_check" CHECK ("stack_versions"."format" in ('yaml', 'json'))
);
--> statement-breakpoint
CREATE TABLE "stacks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"current_version" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_stack_id_stacks_id_fk" FOREIGN KEY ("stack_id") REFERENCES "public"."stacks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "placements" ADD CONSTRAINT "placements_stack_id_stacks_id_fk" FOREIGN KEY ("stack_id") REFERENCES "public"."stacks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stack_versions" ADD CONSTRAINT "stack_versions_stack_id_stacks_id_fk" FOREIGN KEY ("stack_id") REFERENCES "public"."stacks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_workflow_id_key" ON "deployments" USING btree ("workflow_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_stack_sequence_key" ON "deployments" USING btree ("stack_id","sequence");--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_one_active_per_stack" ON "deployments" USING btree ("stack_id") WHERE "deployments"."status" in ('pending', 'running');--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_idempotency_key" ON "deployments" USING btree ("requested_by","idempotency_key") WHERE "deployments"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "deployments_stack_created_idx" ON "deployments" USING btree ("stack_id","created_at");--> statement-breakpoint
CREATE INDEX "placements_host_idx" ON "placements" USING btree ("host_id");--> statement-breakpoint
CREATE UNIQUE INDEX "stacks_live_name_key" ON "stacks" USING btree ("name") WHERE "stacks"."deleted_at" is null;