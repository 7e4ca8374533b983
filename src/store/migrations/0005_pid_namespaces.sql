CREATE TABLE `pid_namespaces` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`parent` text,
	`attrs` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `pid_namespaces_from_to` ON `pid_namespaces` (`valid_from`,`valid_to`);--> statement-breakpoint
CREATE INDEX `pid_namespaces_to_from` ON `pid_namespaces` (`valid_to`,`valid_from`);--> statement-breakpoint
CREATE INDEX `pid_namespaces_key` ON `pid_namespaces` (`key`,`valid_from`);