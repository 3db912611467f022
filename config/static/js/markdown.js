// Partner replies as formatted text, built node by node: the model's text only ever becomes text
// nodes, so nothing it writes can inject HTML. The subset matches conversations/markdown.py
// (paragraphs, line breaks, **strong**, *emphasis*, `code`, lists), so a streamed reply looks the
// same once stored and reloaded.

const BULLET = /^ {0,3}([-*+]) +(.*)$/;
const ORDERED = /^ {0,3}(\d{1,9})[.)] +(.*)$/;
const INLINE =
  /(`+)([^`][\s\S]*?)\1(?!`)|\*\*(?=\S)([\s\S]*?\S)\*\*|(?<![\w])__(?=\S)([\s\S]*?\S)__(?![\w])|\*(?=[^\s*])([\s\S]*?[^\s*])\*|(?<![\w])_(?=[^\s_])([\s\S]*?[^\s_])_(?![\w])|\\([!-/:-@[-`{-~])/;

function appendText(parent, text) {
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    if (index) parent.append(document.createElement("br"));
    if (line) parent.append(line);
  });
}

function appendInline(parent, text) {
  let rest = text;
  while (rest) {
    const match = INLINE.exec(rest);
    if (!match) {
      appendText(parent, rest);
      return;
    }
    appendText(parent, rest.slice(0, match.index));
    const [whole, , code, strong, strong2, em, em2, escaped] = match;
    if (code !== undefined) {
      const node = document.createElement("code");
      node.textContent = code.replace(/\n/g, " ").replace(/^ (.*) $/, "$1");
      parent.append(node);
    } else if (strong !== undefined || strong2 !== undefined) {
      const node = document.createElement("strong");
      appendInline(node, strong ?? strong2);
      parent.append(node);
    } else if (em !== undefined || em2 !== undefined) {
      const node = document.createElement("em");
      appendInline(node, em ?? em2);
      parent.append(node);
    } else {
      parent.append(escaped);
    }
    rest = rest.slice(match.index + whole.length);
  }
}

function blocks(text) {
  const result = [];
  let current = null;
  for (const raw of text.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.replace(/\s+$/, "");
    const bullet = BULLET.exec(line);
    const ordered = ORDERED.exec(line);
    if (!line.trim()) {
      if (current?.kind === "p") current = null;
      else if (current) current.gap = true;
      continue;
    }
    const item = bullet || ordered;
    const kind = bullet ? "ul" : ordered ? "ol" : null;
    if (item && !(current?.kind === "p" && kind === "ol" && ordered[1] !== "1")) {
      if (current?.kind !== kind) {
        current = { kind, items: [], start: ordered ? Number(ordered[1]) : 1 };
        result.push(current);
      }
      current.items.push([item[2]]);
      current.gap = false;
    } else if (current && current.kind !== "p" && !current.gap) {
      current.items[current.items.length - 1].push(line.trim());
    } else if (current?.kind === "p") {
      current.lines.push(line.trim());
    } else {
      current = { kind: "p", lines: [line.trim()] };
      result.push(current);
    }
  }
  return result;
}

export function renderMarkdown(element, text) {
  const fragment = document.createDocumentFragment();
  for (const block of blocks(text)) {
    if (block.kind === "p") {
      const paragraph = document.createElement("p");
      appendInline(paragraph, block.lines.join("\n"));
      fragment.append(paragraph);
      continue;
    }
    const list = document.createElement(block.kind);
    if (block.kind === "ol" && block.start !== 1) list.start = block.start;
    for (const lines of block.items) {
      const item = document.createElement("li");
      appendInline(item, lines.join("\n"));
      list.append(item);
    }
    fragment.append(list);
  }
  element.replaceChildren(fragment);
}
