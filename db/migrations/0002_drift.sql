CREATE TABLE "stack_drift" (
	"stack_id" uuid PRIMARY KEY NOT NULL,
	"checked_at" timestamp with time zone NOT NULL,
	"deployment_id" uuid,
	"mode" text NOT NULL,
	"version" integer,
	"items" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"repair_deployment_id" uuid,
	"repair_error" text
);
--> statement-breakpoint
ALTER TABLE "stacks" ADD COLUMN "reconcile_mode" text;--> statement-breakpoint
ALTER TABLE "stack_drift" ADD CONSTRAINT "stack_drift_stack_id_stacks_id_fk" FOREIGN KEY ("stack_id") REFERENCES "public"."stacks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stack_drift" ADD CONSTRAINT "stack_drift_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stack_drift" ADD CONSTRAINT "stack_drift_repair_deployment_id_deployments_id_fk" FOREIGN KEY ("repair_deployment_id") REFERENCES "public"."deployments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stacks" ADD CONSTRAINT "stacks_reconcile_mode_check" CHECK ("stacks"."reconcile_mode" in ('report', 'repair'));