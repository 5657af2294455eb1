kubectl create deployment web --image=nginx --replicas=3
kubectl create deployment api --image=httpd
sleep 15
kubectl get pods -A --sort-by=.metadata.name
kubectl get pods -A --sort-by=.spec.nodeName -o wide
kubectl get deploy -A --sort-by='{.spec.replicas}'
kubectl get pods --show-labels
kubectl get deploy -A -L app,k8s-app
kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}'
kubectl get pods -n kube-system -o jsonpath='{.items[*].spec.containers[0].image}{"\n"}'
kubectl get deploy web -o jsonpath='{.spec.template.spec.containers[0].name}{"\n"}'
kubectl get pods -A -o custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,NODE:.spec.nodeName,IP:.status.podIP --sort-by=.status.podIP
kubectl get nodes -o custom-columns='NAME:{.metadata.name},CPU:.status.capacity.cpu,TAINTS:.spec.taints[*].key'
kubectl get pods --sort-by=.metadata.nope
