import type { FileInfo } from '@im/protocol';
import type { RelayClient, SeakingClient } from '../clients/services.js';

/**
 * Who may read an uploaded file: its uploader, and members of a conversation where a file
 * event naming it was sent after they joined (and not revoked). Memberships come from
 * seaking, references from the relay.
 */
export async function canReadFile(deps: { seaking: SeakingClient; relay: RelayClient }, userId: string, file: FileInfo): Promise<boolean> {
  if (file.owner_id === userId) return true;
  const { conversations } = await deps.seaking.call('seaking.getReadableConversations', { user_id: userId });
  if (conversations.length === 0) return false;
  const { referenced } = await deps.relay.call('relay.findFileReference', { file_id: file.file_id, conversations });
  return referenced;
}
