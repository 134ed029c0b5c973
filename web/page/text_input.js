// Typed text for the app's text and number fields (issue 19, fault 3).
//
// ImGui draws its fields on the canvas, where the browser cannot type, compose
// (IMEs, dictation, phone keyboards) or paste. While a field is active
// (web/app/text_input.cpp tells us, with where it is), a hidden <input> sits over
// it, focused: what it receives goes to the field (lp_text_insert) and it is
// emptied again. Keys still reach ImGui through SDL, which listens on the
// window (Backspace, Enter, arrows, Ctrl+A/C/X; a physical keyboard's
// characters too, as keypress events SDL keeps from reaching the input). Ctrl+V
// is left to the browser, so it pastes from the system clipboard through the
// paste event. ImGui's copies go to the system clipboard (copy()). On a touch
// screen, tapping a field focuses the input inside the touch's own handler:
// only then do phones open their keyboard. When no field is active, the input
// is blurred and the canvas has the keyboard to itself.
'use strict';

window.lpTextInput = (() => {
  const input = document.createElement('input');
  input.id = 'lp-text-input';
  input.type = 'text';
  input.setAttribute('aria-label', 'value of the active field');
  input.autocomplete = 'off';
  input.autocapitalize = 'off';
  input.spellcheck = false;
  input.setAttribute('autocorrect', 'off');
  input.enterKeyHint = 'done';
  // Transparent over the field; 16px or more so iOS does not zoom on focus.
  Object.assign(input.style, {
    position: 'fixed', left: '0px', top: '0px', width: '1px', height: '1px', padding: '0', margin: '0',
    border: '0', outline: 'none', opacity: '0', color: 'transparent', background: 'transparent',
    caretColor: 'transparent', fontSize: '16px', zIndex: '1', pointerEvents: 'none',
  });

  let active = false;   // a field is active (ImGui wants text)
  let pending = false;  // a drag field is held: it turns into text when released
  let composing = false;

  const ready = () => typeof Module !== 'undefined' && Module.calledRun && Module._lp_text_insert;
  const send = (text) => { if (text && ready()) Module.ccall('lp_text_insert', null, ['string'], [text]); };
  // SDL scancodes (SDL_scancode.h).
  const SCANCODE = { Enter: 40, Backspace: 42, Delete: 76 };
  const pressKey = (name) => { if (ready()) Module._lp_text_key(SCANCODE[name]); };

  // Hands over what the input holds and empties it (not during a composition:
  // the IME owns the text until compositionend; nor while a tapped drag field
  // is still turning into a text field: the text waits in the input, and
  // field() flushes it when the field takes text).
  function flush() {
    if (composing || !active) return;
    const text = input.value;
    input.value = '';
    send(text);
  }

  function focus() {
    if (document.activeElement !== input) input.focus({ preventScroll: true });
  }
  function blur() {
    if (document.activeElement === input) input.blur();
    input.value = '';
    composing = false;
  }

  input.addEventListener('input', (event) => { if (!event.isComposing) flush(); });
  input.addEventListener('compositionstart', () => { composing = true; });
  input.addEventListener('compositionend', () => { composing = false; flush(); });
  // Phone keyboards delete and submit without a key code SDL knows; the input
  // is kept empty, so they arrive here (or as keydown with no code).
  input.addEventListener('beforeinput', (event) => {
    if (event.inputType === 'deleteContentBackward') { event.preventDefault(); pressKey('Backspace'); }
    else if (event.inputType === 'deleteContentForward') { event.preventDefault(); pressKey('Delete'); }
    else if (event.inputType === 'insertLineBreak' || event.inputType === 'insertParagraph') {
      event.preventDefault();
      pressKey('Enter');
    }
  });
  input.addEventListener('keydown', (event) => {
    // Ctrl+V / Cmd+V: the browser's own paste (SDL, on the window, would
    // cancel it); it arrives as the paste event below.
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === 'v' || event.key === 'V')) {
      event.stopPropagation();
      return;
    }
    if (!event.code && (event.key === 'Enter' || event.key === 'Backspace')) pressKey(event.key);
  });
  input.addEventListener('paste', (event) => {
    event.preventDefault();
    const text = event.clipboardData ? event.clipboardData.getData('text/plain') : '';
    // One line: the fields are single-line.
    input.value += text.replace(/\r?\n[\s\S]*$/, '');
    flush();
  });
  // The canvas takes focus on a click; while a field is active, give it back.
  input.addEventListener('blur', () => { if (active) setTimeout(() => { if (active) focus(); }, 0); });

  // A tap that activates a field (or a held drag field, which becomes one when
  // released) focuses the input inside this user gesture: phones open their
  // keyboard only then.
  function onTouchEnd() {
    if (active || pending) focus();
  }

  function place(x, y, w, h) {
    Object.assign(input.style, { left: `${x}px`, top: `${y}px`, width: `${Math.max(w, 1)}px`,
                                 height: `${Math.max(h, 1)}px` });
  }

  // Copies to the system clipboard (ImGui's Ctrl+C / Ctrl+X). The key press
  // that asked for it is the user activation the Clipboard API needs; where it
  // is missing or refuses, a selected textarea and execCommand('copy').
  function fallbackCopy(text) {
    const area = document.createElement('textarea');
    area.value = text;
    Object.assign(area.style, { position: 'fixed', left: '-1000px', top: '0px', opacity: '0' });
    document.body.appendChild(area);
    area.select();
    try { document.execCommand('copy'); } catch (error) { /* nothing more to try */ }
    area.remove();
    if (active) focus();
  }

  function install() {
    document.body.appendChild(input);
    const canvas = document.getElementById('canvas');
    if (canvas) canvas.addEventListener('touchend', onTouchEnd);
  }
  if (document.body) install();
  else document.addEventListener('DOMContentLoaded', install);

  return {
    input,
    // From web/app/text_input.cpp: state 1, a field is active at (x, y, w, h) in
    // CSS pixels; 2, a drag field is held; 0, nothing takes text.
    field(state, x, y, w, h) {
      active = state === 1;
      pending = state === 2;
      if (active) {
        place(x, y, w, h);
        focus();
        flush();
      } else if (pending) {
        // Keep what was typed since the tap: it goes to the field once the
        // field takes text (the next frame).
      } else {
        // A held drag field is not a text field: the keyboard goes back to the
        // canvas. The touch that ends the hold focuses the input again
        // (onTouchEnd), inside its user gesture, if the field turns into text.
        blur();
      }
    },
    copy(text) {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).catch(() => fallbackCopy(text));
      } else {
        fallbackCopy(text);
      }
    },
  };
})();
