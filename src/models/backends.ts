/** The built-in backends; a new backend is one file and its line here. */
import { backendRegistry } from './backend.js';
import { ggufBackend } from './gguf.backend.js';
import { llamaServerBackend } from './llama-server.backend.js';
import { ollamaBackend } from './ollama.backend.js';
import { openaiChatBackend } from './openai-chat.backend.js';
import { openaiCompletionsBackend } from './openai-completions.backend.js';
import { simBackend } from './sim.backend.js';
import { tgiBackend } from './tgi.backend.js';

/** The order the study schema and its messages list them. */
backendRegistry.arrange([
  ggufBackend,
  openaiCompletionsBackend,
  openaiChatBackend,
  llamaServerBackend,
  ollamaBackend,
  tgiBackend,
  simBackend,
]);
