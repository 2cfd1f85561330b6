// The notebook side of ExecutionView: mount the report's inspector (WorkbenchInspector, defined just above)
// on the widget's element and keep it in step with the Python model (svg, payload, selected_state, tab).
function wbPayload(model) {
  try {
    return JSON.parse(model.get("payload") || "{}");
  } catch (e) {
    return {};
  }
}

export default {
  render({ model, el }) {
    el.classList.add("workbench-inspect");
    const root = document.createElement("div");
    root.className = "wb-inspect";
    const canvas = document.createElement("div");
    canvas.className = "wb-canvas";
    canvas.innerHTML = model.get("svg") || "";  // our own renderer's SVG, as in the report
    root.appendChild(canvas);
    el.appendChild(root);
    let shown = "";  // the state the inspector shows, so a selection made here is not sent back to it
    const handle = globalThis.WorkbenchInspector.mount(root, wbPayload(model), {
      onSelect: (name) => {
        shown = name || "";
        if (model.get("selected_state") !== shown) {
          model.set("selected_state", shown);
          model.save_changes();
        }
      },
    });
    let queued = false;
    const redraw = () => {  // svg and payload change together: draw once
      if (queued) return;
      queued = true;
      Promise.resolve().then(() => {
        queued = false;
        handle.update(wbPayload(model), model.get("svg"));
      });
    };
    const select = () => {
      const name = model.get("selected_state") || "";
      if (name !== shown) {
        shown = name;
        handle.select(name || null);
      }
    };
    const tab = () => handle.showTab(model.get("tab") || "graph");
    const tabClicked = (event) => {
      const button = event.target.closest ? event.target.closest(".wb-tabs button[data-tab]") : null;
      const name = button && button.getAttribute("data-tab");
      if (name && model.get("tab") !== name) {
        model.set("tab", name);
        model.save_changes();
      }
    };
    root.addEventListener("click", tabClicked);
    select();
    if ((model.get("tab") || "graph") !== "graph") tab();
    model.on("change:svg", redraw);
    model.on("change:payload", redraw);
    model.on("change:selected_state", select);
    model.on("change:tab", tab);
    return () => {
      root.removeEventListener("click", tabClicked);
      model.off("change:svg", redraw);
      model.off("change:payload", redraw);
      model.off("change:selected_state", select);
      model.off("change:tab", tab);
      handle.destroy();
    };
  },
};
