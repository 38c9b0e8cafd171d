CREATE TABLE "blobs" (
	"digest" text PRIMARY KEY NOT NULL,
	"size" integer NOT NULL,
	"content" "bytea" NOT NULL,
	"key_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registries" (
	"host" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"password" "bytea" NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stack_variables" (
	"stack_id" uuid NOT NULL,
	"name" text NOT NULL,
	"value" "bytea" NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stack_variables_stack_id_name_pk" PRIMARY KEY("stack_id","name")
);
--> statement-breakpoint
ALTER TABLE "stack_versions" ADD COLUMN "project" jsonb DEFAULT '{"composeFiles":[],"envFiles":[],"profiles":[]}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "stack_versions" ADD COLUMN "warnings" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "stack_variables" ADD CONSTRAINT "stack_variables_stack_id_stacks_id_fk" FOREIGN KEY ("stack_id") REFERENCES "public"."stacks"("id") ON DELETE no action ON UPDATE no action;