import type { ChatModel } from '../app/model.js';

export function Toasts({ model }: { model: ChatModel }) {
  const toasts = model.toasts.value;
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} class={`toast ${t.tone}`}>
          <span>{t.text}</span>
          <button type="button" class="icon-btn small" aria-label="Dismiss" onClick={() => model.dismissToast(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
